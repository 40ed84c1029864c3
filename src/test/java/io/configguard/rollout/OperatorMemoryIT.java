package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's memory grows with what it guards, not with the cluster. Runs against the mock API
 * server in this JVM ({@link MockCluster}: paged and metadata-only lists as a real one), of two
 * kinds identical except that the second first stores 4,000 unrelated ConfigMaps of 25 KiB and
 * 5,000 unrelated pods (with managedFields, as a real API server returns them) in the mock: each
 * run measures the heap after GC before the operator starts and again once its rollout over 10 pods
 * has reached Succeeded, with the operator still running. The mock server's own copy of the objects
 * is in both readings of a run and cancels out; what is left is what the operator side retains
 * (informer caches, indexes, client). A first, discarded run takes class loading and static caches
 * out of the comparison; then three runs of each kind, alternating, and the medians are compared.
 * The unrelated objects may add at most 16 MiB.
 */
class OperatorMemoryIT {
  static final String NS = "guarded";
  static final int CONFIG_MAPS = 4_000;
  static final int PODS = 5_000;
  static final int NAMESPACES = 20;
  static final long BOUND = 16L << 20;
  static final int RUNS = 3;

  @Test
  void unrelatedObjectsAddAtMostSixteenMebibytes() throws Exception {
    // A first run loads classes and fills the libraries' static caches (Jackson, JOSDK, the
    // client), which would otherwise count in whichever run comes first.
    operatorGrowth(false);
    // Then three runs of each, alternating, and the median of each: a reading is now and then off
    // by a few MiB (what a stopped operator leaves behind until its threads end, a watch buffer in
    // flight), in either direction; one such reading must not decide the figure.
    long[] withouts = new long[RUNS];
    long[] withs = new long[RUNS];
    for (int i = 0; i < RUNS; i++) {
      withouts[i] = operatorGrowth(false);
      withs[i] = operatorGrowth(true);
    }
    long without = median(withouts);
    long with = median(withs);
    long added = with - without;
    String figures =
        String.format(
            "operator retained heap after a rollout over 10 pods (median of %d runs): %.1f MiB in"
                + " an empty cluster (runs: %s), %.1f MiB with %d unrelated ConfigMaps of 25 KiB"
                + " and %d unrelated pods (runs: %s): the unrelated objects add %.1f MiB",
            RUNS,
            mib(without),
            runs(withouts),
            mib(with),
            CONFIG_MAPS,
            PODS,
            runs(withs),
            mib(added));
    System.out.println(figures);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/operator-memory.txt"), figures + System.lineSeparator());
    assertThat(added).as(figures).isLessThanOrEqualTo(BOUND);
  }

  /** Heap after GC with the operator done with its rollout, minus the same before it started. */
  static long operatorGrowth(boolean unrelated) throws Exception {
    MockCluster cluster = new MockCluster().withCrds();
    KubernetesClient client = cluster.client;
    Operator operator = null;
    try {
      List<String> pods = OperatorHarness.pods(client, NS, "proxy", 10, 3);
      source(client, NS, "bot-features", features(10));
      if (unrelated) {
        seedUnrelated(cluster);
      }
      long before = heapAfterGc();

      operator = OperatorHarness.start(cluster, new RequestLog(), o -> {});
      OperatorHarness.rollout(client, NS, "bot-features", 1, "50%", "100%");
      awaitRollout(
          client,
          NS,
          "bot-features",
          r -> r.getStatus().phase == RolloutPhase.Succeeded,
          Duration.ofSeconds(60));
      source(client, NS, "bot-features", features(12));
      awaitRollout(
          client,
          NS,
          "bot-features",
          r ->
              r.getStatus().phase == RolloutPhase.Succeeded
                  && Long.valueOf(2).equals(r.getStatus().stableRevision),
          Duration.ofSeconds(60));
      OperatorHarness.awaitPodsOn(client, NS, pods, "2");

      long after = heapAfterGc();
      return after - before;
    } finally {
      if (operator != null) {
        operator.stop();
      }
      cluster.close();
    }
  }

  /**
   * Stores the unrelated objects straight into the mock's storage ({@link MockCluster#seed}). Half
   * of them share the rollout's namespace.
   */
  static void seedUnrelated(MockCluster cluster) {
    String content = "x".repeat(25 * 1024);
    for (int i = 0; i < CONFIG_MAPS; i++) {
      String ns = namespace(i);
      cluster.seed(
          "/api/v1/namespaces/" + ns + "/configmaps",
          new ConfigMapBuilder()
              .withNewMetadata()
              .withNamespace(ns)
              .withName("unrelated-" + i)
              .addToLabels("app", "other-" + (i % 50))
              .withManagedFields(managedFields())
              .endMetadata()
              .addToData("payload", content)
              .build());
    }
    for (int i = 0; i < PODS; i++) {
      String ns = namespace(i);
      Pod pod =
          new PodBuilder(RolloutFixtures.pod("other-" + i, "node-" + (i % 7)))
              .editMetadata()
              .withNamespace(ns)
              .withLabels(Map.of("app", "other-" + (i % 50), "pod-template-hash", "7d9f" + i % 50))
              .addToAnnotations("kubectl.kubernetes.io/restartedAt", "2026-11-30T10:00:00Z")
              .withManagedFields(managedFields())
              .endMetadata()
              .editSpec()
              .editFirstContainer()
              .addNewEnv()
              .withName("MODE")
              .withValue("serve")
              .endEnv()
              .addNewPort()
              .withContainerPort(8080)
              .endPort()
              .withNewResources()
              .addToRequests("cpu", new Quantity("100m"))
              .addToRequests("memory", new Quantity("128Mi"))
              .endResources()
              .endContainer()
              .endSpec()
              .build();
      cluster.seed("/api/v1/namespaces/" + ns + "/pods", pod);
    }
  }

  static String namespace(int i) {
    return i % 2 == 0 ? NS : "other-" + (i % NAMESPACES);
  }

  /** Two managedFields entries of the size kubectl and kubelet leave on real objects. */
  static List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry> managedFields() {
    Map<String, Object> fields = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      fields.put("f:field-" + i, Map.of("f:nested", Map.of(), "f:other", Map.of()));
    }
    return List.of(
        new ManagedFieldsEntryBuilder()
            .withManager("kubectl-client-side-apply")
            .withOperation("Update")
            .withApiVersion("v1")
            .withFieldsType("FieldsV1")
            .withNewFieldsV1()
            .withAdditionalProperties(fields)
            .endFieldsV1()
            .build(),
        new ManagedFieldsEntryBuilder()
            .withManager("kubelet")
            .withOperation("Update")
            .withApiVersion("v1")
            .withFieldsType("FieldsV1")
            .withSubresource("status")
            .withNewFieldsV1()
            .withAdditionalProperties(fields)
            .endFieldsV1()
            .build());
  }

  /** Used heap after full GCs, the lowest of a few readings (a GC can race a background task). */
  static long heapAfterGc() throws InterruptedException {
    long lowest = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      lowest = Math.min(lowest, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return lowest;
  }

  static long median(long[] runs) {
    long[] sorted = runs.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static String runs(long[] runs) {
    return java.util.Arrays.stream(runs)
        .mapToObj(r -> String.format("%.1f", mib(r)))
        .collect(java.util.stream.Collectors.joining(" / "));
  }

  static double mib(long bytes) {
    return bytes / (double) (1 << 20);
  }
}
