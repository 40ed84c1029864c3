package io.configguard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTPS load generator for the webhook (bench/load/run.sh drives it). It posts one
 * AdmissionReview body again and again and checks every answer is a 200 that allows the request.
 *
 * <ul>
 *   <li>{@code --connections N}: closed loop, N requests in flight: the server's throughput.
 *   <li>{@code --rate R}: open loop, a request every 1/R s whatever the server does; latency is
 *       counted from when the request was due, so a stalled server cannot hide its queue
 *       (coordinated omission).
 * </ul>
 *
 * Prints one line: {@code RESULT label=.. rps=.. p50_ms=.. p99_ms=.. p999_ms=.. max_ms=.. errors=..}.
 */
public final class Load {
  /**
   * Connections the open loop may use, as kube-apiserver keeps a pool of them: a request due when
   * all are busy waits for one, and that wait counts in its latency.
   */
  private static final int MAX_IN_FLIGHT = 32;

  private final HttpClient client;
  private final HttpRequest request;

  private Load(URI url, byte[] body) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    // The server's certificate is the self-signed one of standalone mode.
    tls.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build();
    this.request =
        HttpRequest.newBuilder(url)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    Load load = new Load(URI.create(opts.get("url")), Files.readAllBytes(Path.of(opts.get("body"))));
    String label = opts.getOrDefault("label", "run");
    double warmup = Double.parseDouble(opts.getOrDefault("warmup", "10"));
    double duration = Double.parseDouble(opts.getOrDefault("duration", "20"));
    Samples samples;
    if (opts.containsKey("rate")) {
      int rate = Integer.parseInt(opts.get("rate"));
      load.openLoop(rate, warmup, new Samples());
      samples = load.openLoop(rate, duration, new Samples());
    } else {
      int connections = Integer.parseInt(opts.getOrDefault("connections", "8"));
      load.closedLoop(connections, warmup, new Samples());
      samples = load.closedLoop(connections, duration, new Samples());
    }
    System.out.println(samples.report(label));
  }

  /** {@code connections} threads, each sending its next request when the last one is answered. */
  private Samples closedLoop(int connections, double seconds, Samples samples)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Thread thread =
          new Thread(
                  () -> {
                    while (System.nanoTime() < end) {
                      long start = System.nanoTime();
                      boolean ok;
                      try {
                        HttpResponse<String> response =
                            client.send(request, HttpResponse.BodyHandlers.ofString());
                        ok = allowed(response);
                        if (!ok) {
                          samples.firstError(response.statusCode() + " " + response.body());
                        }
                      } catch (Exception e) {
                        ok = false;
                        samples.firstError(e.toString());
                      }
                      samples.add(System.nanoTime() - start, ok);
                    }
                  });
      thread.start();
      threads.add(thread);
    }
    long start = System.nanoTime();
    for (Thread t : threads) {
      t.join();
    }
    samples.elapsed(System.nanoTime() - start);
    return samples;
  }

  /** One request due every 1/rate s; each latency runs from the moment it was due. */
  private Samples openLoop(int rate, double seconds, Samples samples) throws InterruptedException {
    // Connections are made once, before the clock starts.
    closedLoop(MAX_IN_FLIGHT, 0.5, new Samples());
    long interval = 1_000_000_000L / rate;
    long total = (long) (seconds * rate);
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    long start = System.nanoTime();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      inFlight.acquire();
      pending.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (response, error) -> {
                    samples.add(System.nanoTime() - due, error == null && allowed(response));
                    if (error != null || !allowed(response)) {
                      samples.firstError(error != null ? error.toString() : response.body());
                    }
                    inFlight.release();
                    return null;
                  }));
      if (pending.size() > 10_000) {
        pending.removeIf(CompletableFuture::isDone);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    samples.elapsed(System.nanoTime() - start);
    return samples;
  }

  private static boolean allowed(HttpResponse<String> response) {
    return response.statusCode() == 200 && response.body().contains("\"allowed\":true");
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    for (String required : List.of("url", "body")) {
      if (!opts.containsKey(required)) {
        throw new IllegalArgumentException(
            "usage: Load --url URL --body FILE [--connections N | --rate R] [--warmup S]"
                + " [--duration S] [--label NAME]");
      }
    }
    return opts;
  }

  /** Latencies in nanoseconds, kept whole so that percentiles are exact. */
  private static final class Samples {
    private long[] nanos = new long[1 << 16];
    private int count;
    private final AtomicLong errors = new AtomicLong();
    private long elapsed;
    private volatile String firstError;

    void firstError(String error) {
      if (firstError == null) {
        firstError = error.length() > 300 ? error.substring(0, 300) : error;
      }
    }

    synchronized void add(long latency, boolean ok) {
      if (!ok) {
        errors.incrementAndGet();
      }
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = latency;
    }

    void elapsed(long nanos) {
      this.elapsed = nanos;
    }

    synchronized String report(String label) {
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return String.format(
          Locale.ROOT,
          "RESULT label=%s requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f"
              + " errors=%d",
          label,
          count,
          count / (elapsed / 1e9),
          percentile(sorted, 50),
          percentile(sorted, 99),
          percentile(sorted, 99.9),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
          errors.get())
          + (firstError == null ? "" : "\n  first error: " + firstError);
    }

    private static double percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(rank, sorted.length - 1))] / 1e6;
    }
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
