package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitPodsOn;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator lists and watches pods only in the namespaces that hold a GuardedRollout (issue 12
 * item 2: memory bounded by what is guarded), and starts watching a namespace when its first
 * rollout appears.
 */
class PodNamespacesIT {
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  @Test
  void podsAreReadOnlyInNamespacesThatHoldARollout() throws Exception {
    OperatorHarness.pods(client, "bystander", "proxy", 3, 3);
    List<String> first = OperatorHarness.pods(client, "guarded-a", "proxy", 4, 3);
    List<String> second = OperatorHarness.pods(client, "guarded-b", "proxy", 4, 3);
    source(client, "guarded-a", "bot-features", features(10));
    source(client, "guarded-b", "bot-features", features(10));
    RequestLog log = new RequestLog();
    Operator operator = OperatorHarness.start(cluster, log, o -> {});
    try {
      shipsTwoRevisions("guarded-a", first);
      assertThat(podReads(log))
          .as("pod lists and watches before a rollout exists in guarded-b")
          .contains("/api/v1/namespaces/guarded-a/pods")
          .noneMatch(path -> path.equals("/api/v1/pods"))
          .noneMatch(path -> path.contains("/namespaces/bystander/"))
          .noneMatch(path -> path.contains("/namespaces/guarded-b/"));

      shipsTwoRevisions("guarded-b", second);
      assertThat(podReads(log))
          .as("pod lists and watches once guarded-b holds a rollout")
          .contains("/api/v1/namespaces/guarded-b/pods")
          .noneMatch(path -> path.equals("/api/v1/pods"))
          .noneMatch(path -> path.contains("/namespaces/bystander/"));
    } finally {
      operator.stop();
    }
  }

  /** A first revision, then a second one through two steps to every pod. */
  private static void shipsTwoRevisions(String namespace, List<String> pods) {
    OperatorHarness.rollout(client, namespace, "bot-features", 1, "50%", "100%");
    awaitPhase(client, namespace, "bot-features", RolloutPhase.Succeeded);
    source(client, namespace, "bot-features", features(12));
    awaitRollout(
        client,
        namespace,
        "bot-features",
        r ->
            r.getStatus().phase == RolloutPhase.Succeeded
                && Long.valueOf(2).equals(r.getStatus().stableRevision));
    awaitPodsOn(client, namespace, pods, "2");
  }

  /** The paths of the operator's pod lists and watches (a single pod's GET names the pod). */
  private static List<String> podReads(RequestLog log) {
    return log.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith("/pods"))
        .map(RequestLog.Request::path)
        .distinct()
        .toList();
  }
}
