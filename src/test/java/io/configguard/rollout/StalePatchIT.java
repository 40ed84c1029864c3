package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pod move decided on a stale read is refused by the API server (the mock's optimistic
 * concurrency) and is not retried blindly: it is retried once only when the pod's annotations are
 * still what the decision was based on.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class StalePatchIT {
  static KubernetesMockServer server;
  static KubernetesClient client;

  RequestLog log = new RequestLog();
  KubernetesClient operatorClient;
  RolloutState state;

  @BeforeEach
  void setUp() {
    operatorClient = RequestLog.client(server, log);
    state =
        new RolloutState(
            RolloutFixtures.rollout("bot-features", "bot-features", 0),
            new GuardedRolloutStatus(),
            new ApiCluster(operatorClient),
            null,
            Instant.now(),
            List.of(),
            Optional.empty(),
            List.of());
  }

  @Test
  void aPodWhoseAnnotationChangedUnderneathIsRefusedWithOnePatch() {
    Pod seen = createOnRevision("stale-0", "4");
    client
        .pods()
        .inNamespace(NS)
        .withName("stale-0")
        .edit(p -> RolloutFixtures.annotated(p, RolloutKeys.REVISION, "7"));

    PodMover.Result result = PodMover.pointAt(state, seen, 5, true);

    assertThat(result).isInstanceOf(PodMover.Result.Refused.class);
    assertThat(((PodMover.Result.Refused) result).why())
        .isEqualTo(
            "stale-0 changed underneath (expected revision 4, rollout bot-features, found"
                + " revision 7, rollout bot-features)");
    assertThat(annotation("stale-0")).isEqualTo("7");
    assertThat(log.writes("/pods/stale-0"))
        .containsExactly("PATCH /api/v1/namespaces/edge/pods/stale-0");
  }

  @Test
  void aPodWhoseOnlyStatusChangedIsMovedAfterOneFreshRead() {
    Pod seen = createOnRevision("churn-0", "4");
    OperatorHarness.kubelet(client, NS, "churn-0", OperatorHarness::notReady);

    PodMover.Result result = PodMover.pointAt(state, seen, 5, true);

    assertThat(result).isInstanceOf(PodMover.Result.Moved.class);
    assertThat(annotation("churn-0")).isEqualTo("5");
    Map<String, String> a =
        client.pods().inNamespace(NS).withName("churn-0").get().getMetadata().getAnnotations();
    assertThat(a).containsEntry(RolloutKeys.READY_AT_MOVE, "false");
    assertThat(log.writes("/pods/churn-0")).hasSize(2);
  }

  private Pod createOnRevision(String name, String revision) {
    Pod pod =
        RolloutFixtures.annotated(
            RolloutFixtures.pod(name, "node-a"),
            RolloutKeys.REVISION,
            revision,
            RolloutKeys.ROLLOUT,
            "bot-features");
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  private String annotation(String pod) {
    return OperatorHarness.revisionOf(client, NS, pod);
  }

  /** The operator's pod writes without the informers: straight to the API server. */
  static final class ApiCluster implements Cluster {
    private final KubernetesClient client;

    ApiCluster(KubernetesClient client) {
      this.client = client;
    }

    @Override
    public Pod patchPod(Pod pod, String mergePatch) throws Refused {
      try {
        return KubernetesCluster.patch(client, pod, mergePatch);
      } catch (KubernetesClientException e) {
        throw KubernetesCluster.refusal(e);
      }
    }

    @Override
    public Optional<Pod> freshPod(String namespace, String name) {
      return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
    }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Pod> pods(String namespace) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ConfigMap create(ConfigMap map) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ConfigMap update(ConfigMap map) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean rolloutExists(String namespace, String name) {
      return false;
    }

    @Override
    public List<ConfigFreeze> freezes() {
      return List.of();
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
      return Map.of();
    }

    @Override
    public void event(GuardedRollout about, String type, String reason, String message) {}
  }
}
