package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CPU time and allocation per admission request in-process, without HTTP and TLS: the review of
 * bench/load answered the way {@link FloorResource} answers it (read, allow, write the answer) and
 * the way {@code /validate} answers it with the five policies of bench/load/policies. Rounds
 * interleave the two, so load from other processes hits both alike; the ratio is the figure.
 * Opt-in: {@code mvn -o -B -q test -Dtest=AdmissionCpuBenchmark -Dbench
 * -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dbench.policies=DIR} evaluates another set
 * (e.g. target/bench-load/thousand from bench/load/run.sh). Figures in bench/README.md.
 */
@EnabledIfSystemProperty(named = "bench", matches = ".*")
class AdmissionCpuBenchmark {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void cpuAndBytesPerRequest() throws Exception {
    byte[] body = Files.readAllBytes(Path.of("bench/load/review.json"));
    Path policies = Path.of(System.getProperty("bench.policies", "bench/load/policies"));
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(policies), "default"));
    assertThat(index.rejected()).isEmpty();
    AdmissionHandler handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
    // A cold JVM can run past the 500 ms time budget: warm up, then insist the review passes.
    for (int i = 0; i < 300; i++) {
      validate(handler, body);
    }
    assertThat(validate(handler, body)).contains("\"allowed\":true");

    int rounds = Integer.getInteger("bench.rounds", 30);
    int ops = 200;
    double[][] cpu = new double[2][rounds];
    double[][] bytes = new double[2][rounds];
    for (int r = -20; r < rounds; r++) {
      for (int which = 0; which < 2; which++) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long bytes0 = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < ops; i++) {
          if (which == 0) {
            floor(body);
          } else {
            validate(handler, body);
          }
        }
        if (r >= 0) {
          cpu[which][r] = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / ops;
          bytes[which][r] =
              (THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - bytes0)
                  / (double) ops;
        }
      }
    }
    String[] names = {"floor", "validate"};
    double[] median = new double[2];
    for (int i = 0; i < 2; i++) {
      double[] sorted = cpu[i].clone();
      Arrays.sort(sorted);
      median[i] = sorted[rounds / 2];
      double[] allocated = bytes[i].clone();
      Arrays.sort(allocated);
      System.out.printf(
          Locale.ROOT,
          "RESULT %-8s %7.1f us CPU/request (min %.1f, max %.1f), %8.0f bytes/request%n",
          names[i],
          median[i],
          sorted[0],
          sorted[rounds - 1],
          allocated[rounds / 2]);
    }
    System.out.printf(
        Locale.ROOT, "RESULT validate/floor %.2f (%s)%n", median[1] / median[0], policies);
  }

  /** What {@link FloorResource} does with a body, to the bytes of its answer. */
  private static String floor(byte[] body) throws Exception {
    Review review = Review.read(body);
    return JSON.writeValueAsString(
        new AdmissionReviewBuilder()
            .withApiVersion(Review.API_VERSION)
            .withKind(Review.KIND)
            .withResponse(
                new AdmissionResponseBuilder().withUid(review.uid()).withAllowed(true).build())
            .build());
  }

  /** What {@link AdmissionResource} does with a body, to the bytes of its answer. */
  private static String validate(AdmissionHandler handler, byte[] body) throws Exception {
    AdmissionResponse response = handler.handle(Review.read(body));
    return JSON.writeValueAsString(
        new AdmissionReviewBuilder()
            .withApiVersion(Review.API_VERSION)
            .withKind(Review.KIND)
            .withResponse(response)
            .build());
  }
}
