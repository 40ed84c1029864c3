package io.configguard.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 13 item 1, run in its own JVM with a small heap by {@link AdmissionMemoryTest}: 64
 * concurrent worst-case 3 MiB CREATEs (a {@code *.json} value {@code [{},{},...]} that
 * strict-formats parses) beside a stream of small ones. Each request takes what the HTTP route
 * takes: a permit from the gate before its body exists (AdmissionGateRoute), then the body, then
 * the resource. {@code ungated} skips the gate, as the webhook did before. Prints one line of
 * counts; exits 0 when every request was answered.
 */
public final class MemoryDrill {
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    boolean gated = args[0].equals("gated");
    int heavy = Integer.parseInt(args[1]);
    int light = Integer.parseInt(args[2]);
    Webhook webhook =
        new Webhook(
            new SimpleMeterRegistry(),
            Optional.empty(),
            new AdmissionMemoryGate(AdmissionMemoryGate.defaultBudget(), Duration.ofMillis(2500)));
    webhook.loadPolicies(
        List.of(Path.of("deploy/examples/policies/strict-formats.yaml")), "default");
    AdmissionResource resource = new AdmissionResource(webhook);
    // Warm up, so class loading is not what is measured.
    resource.validate(body(1, 1000));

    AtomicInteger answered = new AtomicInteger();
    AtomicInteger busy = new AtomicInteger();
    AtomicInteger lightAnswered = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(heavy + 4);
    List<Future<?>> futures = new java.util.ArrayList<>();
    for (int i = 0; i < heavy; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                int status = request(gated, webhook, resource, n, 3 * 1024 * 1024 - 4096);
                (status == 429 ? busy : answered).incrementAndGet();
                return null;
              }));
    }
    List<Future<?>> lights = new java.util.ArrayList<>();
    for (int i = 0; i < light; i++) {
      int n = heavy + i;
      lights.add(
          pool.submit(
              () -> {
                int status = request(gated, webhook, resource, n, 10 * 1024);
                if (status == 200) {
                  lightAnswered.incrementAndGet();
                }
                return null;
              }));
      Thread.sleep(50);
    }
    for (Future<?> f : futures) {
      f.get();
    }
    for (Future<?> f : lights) {
      f.get();
    }
    pool.shutdown();
    System.out.printf(
        "DRILL heavy=%d answered=%d busy=%d light=%d lightAnswered=%d peakReserved=%d budget=%d%n",
        heavy,
        answered.get(),
        busy.get(),
        light,
        lightAnswered.get(),
        webhook.gate().peak(),
        webhook.gate().budget());
  }

  /** One request as the HTTP route runs it; the HTTP status of the answer. */
  static int request(
      boolean gated, Webhook webhook, AdmissionResource resource, int n, int valueBytes)
      throws Exception {
    if (!gated) {
      return resource.validate(body(n, valueBytes)).getStatus();
    }
    CompletableFuture<AdmissionMemoryGate.Permit> permit =
        webhook.gate().acquire(valueBytes + 1024L);
    try (AdmissionMemoryGate.Permit p = permit.get()) {
      Response response = resource.validate(body(n, valueBytes));
      return response.getStatus();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AdmissionMemoryGate.BusyException) {
        webhook.metrics().busy();
        return 429;
      }
      throw e;
    }
  }

  /** A CREATE of a ConfigMap whose features.json is {@code [{},{},...]} of about n bytes. */
  static byte[] body(int n, int valueBytes) throws Exception {
    StringBuilder value = new StringBuilder(valueBytes + 2).append('[');
    while (value.length() < valueBytes - 3) {
      value.append("{},");
    }
    value.append("{}]");
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "u" + n).put("operation", "CREATE").put("namespace", "default");
    request.put("name", "cm" + n);
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "ConfigMap");
    request
        .putObject("resource")
        .put("group", "")
        .put("version", "v1")
        .put("resource", "configmaps");
    ObjectNode object = request.putObject("object");
    object.put("apiVersion", "v1").put("kind", "ConfigMap");
    object.putObject("metadata").put("name", "cm" + n).put("namespace", "default");
    object.putObject("data").put("features.json", value.toString());
    return JSON.writeValueAsString(review).getBytes(StandardCharsets.UTF_8);
  }
}
