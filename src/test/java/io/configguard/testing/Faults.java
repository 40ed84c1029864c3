package io.configguard.testing;

import com.sun.net.httpserver.HttpServer;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Plays failures on one client's requests, ahead of its {@link RequestLog}: the process dying at an
 * exact request (nothing after it reaches the API server), a thread frozen at a request until
 * released (a stale actor), and error answers (409, 500, ...) given instead of the API server's by
 * a small local server the request is redirected to.
 */
public final class Faults implements Interceptor, AutoCloseable {
  /** Marks a request answered by the fault server, with the status it gets. */
  static final String HEADER = "X-Injected-Fault";

  private static final String MESSAGE = "X-Injected-Fault-Message";

  private volatile Predicate<Request> killTrigger = r -> false;
  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private final CountDownLatch dead = new CountDownLatch(1);
  private volatile long killedAt;
  private volatile Predicate<Request> holdTrigger = r -> false;
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private HttpServer errors;

  /**
   * Accepts the {@code n}th request {@code which} accepts (a trigger: call it once per request).
   */
  public static Predicate<Request> nth(int n, Predicate<Request> which) {
    AtomicInteger seen = new AtomicInteger();
    return r -> which.test(r) && seen.incrementAndGet() == n;
  }

  /** Accepts the first request {@code then} accepts after one {@code first} accepted. */
  public static Predicate<Request> after(Predicate<Request> first, Predicate<Request> then) {
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
  public Faults killAfter(Predicate<Request> trigger) {
    this.killTrigger = trigger;
    return this;
  }

  /** Error answers for the first attempts at each path a predicate accepts. */
  private record Answer(
      Predicate<Request> which, int[] codes, String message, Map<String, AtomicInteger> attempts) {
    /** The code to answer this attempt with, or 0 to let it through. */
    int next(Request r) {
      if (!which.test(r)) {
        return 0;
      }
      int attempt = attempts.computeIfAbsent(r.path(), p -> new AtomicInteger()).getAndIncrement();
      return attempt < codes.length ? codes[attempt] : 0;
    }
  }

  /**
   * The first attempts at each path {@code which} accepts get {@code codes}, in order; later ones
   * go to the API server. May be called again, also while requests flow, to add more.
   */
  public Faults answer(Predicate<Request> which, int... codes) {
    answers.add(
        new Answer(which, codes.clone(), "injected by a fault drill", new ConcurrentHashMap<>()));
    return this;
  }

  /**
   * Every request {@code which} accepts gets {@code code} with {@code message}, as an admission
   * controller's denial reaches the client: "admission webhook ... denied the request: ...".
   */
  public Faults deny(Predicate<Request> which, int code, String message) {
    int[] always = new int[10_000];
    java.util.Arrays.fill(always, code);
    answers.add(new Answer(which, always, message, new ConcurrentHashMap<>()));
    return this;
  }

  /**
   * The first request {@code trigger} accepts waits, before it is sent, until {@link #release}: the
   * thread that sends it (a reconcile) stays frozen with the view it decided on.
   */
  public Faults holdAt(Predicate<Request> trigger) {
    this.holdTrigger = trigger;
    return this;
  }

  public boolean awaitHeld(long seconds) throws InterruptedException {
    return held.await(seconds, TimeUnit.SECONDS);
  }

  public void release() {
    released.countDown();
  }

  /** Waits until the kill trigger fired. */
  public boolean awaitKilled(long seconds) throws InterruptedException {
    return dead.await(seconds, TimeUnit.SECONDS);
  }

  /** {@link System#nanoTime} when the last request got through, as {@link Request#nanos}. */
  public long killedAt() {
    return killedAt;
  }

  public boolean killed() {
    return dead.getCount() == 0;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    Request r = Request.of(request);
    // One at a time: requests sent in parallel (a step's pod patches) must not slip past the kill
    // between another's trigger and its countdown, so that nothing after the kill point gets
    // through.
    synchronized (dead) {
      if (killed()) {
        throw new IllegalStateException("the operator process is dead (fault drill)");
      }
      if (killTrigger.test(r)) {
        killedAt = r.nanos();
        dead.countDown();
        return;
      }
    }
    if (held.getCount() > 0 && holdTrigger.test(r)) {
      held.countDown();
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Answer answer : answers) {
      int code = answer.next(r);
      if (code != 0) {
        builder.setHeader(HEADER, Integer.toString(code));
        builder.setHeader(
            MESSAGE, java.net.URLEncoder.encode(answer.message(), StandardCharsets.UTF_8));
        builder.uri(errorServer().resolve(request.uri().getRawPath()));
        return;
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
            String message =
                java.net.URLDecoder.decode(
                    exchange.getRequestHeaders().getFirst(MESSAGE), StandardCharsets.UTF_8);
            io.fabric8.kubernetes.api.model.Status status =
                new io.fabric8.kubernetes.api.model.StatusBuilder()
                    .withStatus("Failure")
                    .withCode(code)
                    .withMessage(message)
                    .build();
            byte[] body =
                io.fabric8.kubernetes.client.utils.Serialization.asJson(status)
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
    release();
    if (errors != null) {
      errors.stop(0);
    }
  }
}
