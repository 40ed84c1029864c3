package io.configguard.rollout;

import com.sun.net.httpserver.HttpServer;
import io.configguard.rollout.RequestLog.Request;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Plays failures on one client's requests, ahead of its {@link RequestLog}: the process dying at an
 * exact request (nothing after it reaches the API server), and error answers (409, 500, ...) given
 * instead of the API server's by a small local server the request is redirected to.
 */
final class Faults implements Interceptor, AutoCloseable {
  /** Marks a request answered by the fault server, with the status it gets. */
  static final String HEADER = "X-Injected-Fault";

  private volatile Predicate<Request> killTrigger = r -> false;
  private volatile Predicate<Request> injectWhich = r -> false;
  private volatile int[] injectCodes = {};
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final CountDownLatch dead = new CountDownLatch(1);
  private HttpServer errors;

  /**
   * Accepts the {@code n}th request {@code which} accepts (a trigger: call it once per request).
   */
  static Predicate<Request> nth(int n, Predicate<Request> which) {
    AtomicInteger seen = new AtomicInteger();
    return r -> which.test(r) && seen.incrementAndGet() == n;
  }

  /** Accepts the first request {@code then} accepts after one {@code first} accepted. */
  static Predicate<Request> after(Predicate<Request> first, Predicate<Request> then) {
    AtomicInteger armed = new AtomicInteger();
    return r -> {
      if (armed.get() == 0) {
        if (first.test(r)) {
          armed.set(1);
        }
        return false;
      }
      return then.test(r);
    };
  }

  /** Everything after the first request {@code trigger} accepts fails, as if the process died. */
  Faults killAfter(Predicate<Request> trigger) {
    this.killTrigger = trigger;
    return this;
  }

  /**
   * The first attempts at each path {@code which} accepts get {@code codes}, in order; later ones
   * go to the API server.
   */
  Faults answer(Predicate<Request> which, int... codes) {
    this.injectWhich = which;
    this.injectCodes = codes.clone();
    return this;
  }

  /** Waits until the kill trigger fired. */
  boolean awaitKilled(long seconds) throws InterruptedException {
    return dead.await(seconds, TimeUnit.SECONDS);
  }

  boolean killed() {
    return dead.getCount() == 0;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (killed()) {
      throw new IllegalStateException("the operator process is dead (fault drill)");
    }
    Request r = Request.of(request);
    if (killTrigger.test(r)) {
      dead.countDown();
      return;
    }
    if (injectWhich.test(r)) {
      int attempt = attempts.computeIfAbsent(r.path(), p -> new AtomicInteger()).getAndIncrement();
      if (attempt < injectCodes.length) {
        int code = injectCodes[attempt];
        builder.setHeader(HEADER, Integer.toString(code));
        builder.uri(errorServer().resolve(request.uri().getRawPath()));
      }
    }
  }

  private synchronized URI errorServer() {
    if (errors == null) {
      try {
        errors = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      errors.createContext(
          "/",
          exchange -> {
            int code = Integer.parseInt(exchange.getRequestHeaders().getFirst(HEADER));
            byte[] body =
                ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                        + code
                        + ",\"message\":\"injected by a fault drill\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      errors.start();
    }
    return URI.create("http://127.0.0.1:" + errors.getAddress().getPort() + "/");
  }

  @Override
  public synchronized void close() {
    if (errors != null) {
      errors.stop(0);
    }
  }
}
