package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The rollout benchmark (not part of the test suite; see bench/README.md): 1,000 pods, 4 steps,
 * bakeSeconds 0, against the mock server. Measures the wall time from the source change to
 * Succeeded and counts the operator's API writes, then the same for a rollback from 100%. A second
 * test times one step that moves every pod, and the rollback of every pod (from the pod turning
 * NotReady to the last pod back on stable), with the spread of the pod patches of each.
 *
 * <p>Run: {@code mvn -B -q test -Dtest=RolloutBenchmark -Dbench
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbench.pods=10000} for 10,000 pods, {@code
 * -Dtest='RolloutBenchmark#oneStepOfEveryPodThenRollbackOfEveryPod'} for the second test only);
 * without {@code -Dbench} it is skipped, so that {@code -Dtest='io.configguard.rollout.**'} does
 * not run it.
 */
@EnabledIfSystemProperty(named = "bench", matches = ".*")
class RolloutBenchmark {
  static final int PODS = Integer.getInteger("bench.pods", 1000);
  static final String NS = "bench";
  static final String NAME = "bot-features";
  static MockCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void startCluster() {
    cluster = new MockCluster().withCrds();
    client = cluster.client;
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void thousandPodsInFourSteps() throws Exception {
    List<String> pods = OperatorHarness.pods(client, NS, "proxy", PODS, 50);
    RequestLog log = new RequestLog();
    Operator operator = OperatorHarness.start(cluster, log, o -> {});
    try {
      source(client, NS, NAME, features(10));
      OperatorHarness.rollout(client, NS, NAME, 0, "1", "10%", "50%", "100%");
      awaitStable(1, Duration.ofSeconds(60));

      log.clear();
      long start = System.nanoTime();
      source(client, NS, NAME, features(12));
      awaitStable(2, Duration.ofSeconds(300));
      long rollout = System.nanoTime() - start;
      Map<String, Long> forward = writesByKind(log);
      report("rollout to Succeeded", rollout, forward, PODS, 4);
      assertThat(forward.get("pod patches")).isEqualTo(PODS);
      assertThat(total(forward)).isLessThanOrEqualTo(2L * PODS + 10 * 4);

      // A rollback from 100%: every pod moved, then one turns NotReady while the last step bakes.
      OperatorHarness.editSpec(client, NS, NAME, r -> r.getSpec().strategy.bakeSeconds = 5);
      awaitRollout(client, NS, NAME, r -> r.getStatus().observedGeneration == 2);
      log.clear();
      long rollbackStart = System.nanoTime();
      source(client, NS, NAME, features(14));
      awaitRollout(
          client,
          NS,
          NAME,
          r ->
              r.getStatus().phase == RolloutPhase.Progressing
                  && Long.valueOf(3).equals(r.getStatus().candidateRevision)
                  && Integer.valueOf(PODS).equals(r.getStatus().updatedPods),
          Duration.ofSeconds(300));
      OperatorHarness.kubelet(client, NS, pods.get(PODS / 2), OperatorHarness::notReady);
      awaitRollout(
          client,
          NS,
          NAME,
          r -> r.getStatus().phase == RolloutPhase.RolledBack,
          Duration.ofSeconds(300));
      // The outcome is recorded first; the pods return on the next pass.
      await()
          .atMost(Duration.ofSeconds(300))
          .until(() -> writesByKind(log).getOrDefault("pod patches", 0L) >= 2L * PODS);
      long rollback = System.nanoTime() - rollbackStart;
      Map<String, Long> back = writesByKind(log);
      report("4 steps then rollback of every pod (incl. 3x5 s bake)", rollback, back, PODS, 4);
      assertThat(back.get("pod patches")).isEqualTo(2L * PODS);
      assertThat(total(back)).isLessThanOrEqualTo(2L * PODS + 10 * 4);
    } finally {
      operator.stop();
    }
  }

  /**
   * One step of every pod ({@code steps: ["100%"]}, bakeSeconds 0), then a revision that reaches
   * every pod and bakes, one pod turns NotReady, and every pod goes back to stable.
   */
  @Test
  void oneStepOfEveryPodThenRollbackOfEveryPod() throws Exception {
    String ns = "bench-one-step";
    long created = System.nanoTime();
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", PODS, 50);
    System.out.printf(
        "%n[rollout bench] created %d pods in %.1f s%n", PODS, (System.nanoTime() - created) / 1e9);
    RequestLog log = new RequestLog();
    Operator operator = OperatorHarness.start(cluster, log, o -> {});
    try {
      source(client, ns, NAME, features(10));
      OperatorHarness.rollout(client, ns, NAME, 0, "100%");
      awaitStable(ns, 1, Duration.ofSeconds(600));

      log.clear();
      long start = System.nanoTime();
      source(client, ns, NAME, features(12));
      awaitStable(ns, 2, Duration.ofSeconds(1200));
      long step = System.nanoTime() - start;
      Map<String, Long> forward = writesByKind(log);
      report("one step of every pod, source change to Succeeded", step, forward, PODS, 1);
      reportPatches("the step's pod patches", log.requests(r -> r.movesPodTo(ns, "2")));
      assertThat(forward.get("pod patches")).isEqualTo(PODS);

      OperatorHarness.editSpec(client, ns, NAME, r -> r.getSpec().strategy.bakeSeconds = 3600);
      awaitRollout(client, ns, NAME, r -> r.getStatus().observedGeneration == 2);
      source(client, ns, NAME, features(14));
      awaitRollout(
          client,
          ns,
          NAME,
          r ->
              Long.valueOf(3).equals(r.getStatus().candidateRevision)
                  && Integer.valueOf(PODS).equals(r.getStatus().updatedPods)
                  && r.getStatus().bakeStartedAt != null,
          Duration.ofSeconds(1200));
      log.clear();
      long rollbackStart = System.nanoTime();
      OperatorHarness.kubelet(client, ns, pods.get(PODS / 2), OperatorHarness::notReady);
      // The mock answers a pod patch with 202.
      await()
          .atMost(Duration.ofSeconds(1200))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> log.requests(r -> r.movesPodTo(ns, "2") && r.code() / 100 == 2).size() >= PODS);
      long rollback = System.nanoTime() - rollbackStart;
      awaitRollout(client, ns, NAME, r -> r.getStatus().phase == RolloutPhase.RolledBack);
      Map<String, Long> back = writesByKind(log);
      report("rollback of every pod, NotReady to the last pod on stable", rollback, back, PODS, 1);
      reportPatches("the rollback's pod patches", log.requests(r -> r.movesPodTo(ns, "2")));
      assertThat(back.get("pod patches")).isEqualTo(PODS);
    } finally {
      operator.stop();
    }
  }

  private static void reportPatches(String what, List<RequestLog.Request> patches) {
    long first = patches.stream().mapToLong(RequestLog.Request::nanos).min().orElse(0);
    long last = patches.stream().mapToLong(RequestLog.Request::nanos).max().orElse(0);
    System.out.printf(
        "[rollout bench] %s: %d sent over %.2f s (first to last)%n",
        what, patches.size(), (last - first) / 1e9);
  }

  private static void awaitStable(long revision, Duration timeout) {
    awaitStable(NS, revision, timeout);
  }

  private static void awaitStable(String ns, long revision, Duration timeout) {
    awaitRollout(
        client,
        ns,
        NAME,
        r ->
            r.getStatus().phase == RolloutPhase.Succeeded
                && Long.valueOf(revision).equals(r.getStatus().stableRevision),
        timeout);
  }

  private static Map<String, Long> writesByKind(RequestLog log) {
    return log.writes().stream()
        .collect(
            Collectors.groupingBy(
                w ->
                    w.contains("/pods/")
                        ? "pod patches"
                        : w.contains("/configmaps")
                            ? "ConfigMap writes"
                            : w.contains("/status")
                                ? "status patches"
                                : w.contains("/events") ? "events" : "other " + w,
                TreeMap::new,
                Collectors.counting()));
  }

  private static long total(Map<String, Long> writes) {
    return writes.values().stream().mapToLong(Long::longValue).sum();
  }

  private static void report(
      String what, long nanos, Map<String, Long> writes, int pods, int steps) {
    long total = total(writes);
    System.out.printf(
        "%n[rollout bench] %s: %d pods, %d steps: %.2f s wall, %d API writes (%s); %.3f writes per"
            + " pod, %d besides pod patches%n",
        what,
        pods,
        steps,
        nanos / 1e9,
        total,
        writes,
        total / (double) pods,
        total - writes.getOrDefault("pod patches", 0L));
  }
}
