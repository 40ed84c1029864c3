package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.revisionOf;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator stopped mid-bake; a new one resumes from status and annotations alone. */
@EnableKubernetesMockClient(crud = true, https = false)
class ResumeIT {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void aNewOperatorStartedMidBakeResumesWithoutMovingAnyPodTwice() throws Exception {
    OperatorHarness.installCrds(client);
    String ns = "resume";
    RequestLog firstLog = new RequestLog();
    Operator first = OperatorHarness.start(server, firstLog, o -> {});
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 6, 3);
    source(client, ns, "bot-features", features(10));
    OperatorHarness.rollout(client, ns, "bot-features", 4, "1", "50%", "100%");
    awaitPhase(client, ns, "bot-features", RolloutPhase.Succeeded);

    source(client, ns, "bot-features", features(12));
    GuardedRollout midBake =
        awaitRollout(
            client,
            ns,
            "bot-features",
            r ->
                Integer.valueOf(2).equals(r.getStatus().currentStep)
                    && Integer.valueOf(3).equals(r.getStatus().updatedPods)
                    && r.getStatus().bakeStartedAt != null);
    first.stop();
    List<String> movedBefore =
        pods.stream().filter(p -> "2".equals(revisionOf(client, ns, p))).toList();
    assertThat(movedBefore).hasSize(3);

    RequestLog secondLog = new RequestLog();
    Operator second = OperatorHarness.start(server, secondLog, o -> {});
    try {
      GuardedRollout done = awaitPhase(client, ns, "bot-features", RolloutPhase.Succeeded);
      assertThat(done.getStatus().stableRevision).isEqualTo(2);
      assertThat(pods).allSatisfy(p -> assertThat(revisionOf(client, ns, p)).isEqualTo("2"));

      List<String> patches = new ArrayList<>(firstLog.writes("/pods/"));
      patches.addAll(secondLog.writes("/pods/"));
      assertThat(patches).hasSize(6).doesNotHaveDuplicates();
      assertThat(secondLog.writes("/pods/"))
          .hasSize(3)
          .noneMatch(w -> movedBefore.stream().anyMatch(w::endsWith));
      assertThat(midBake.getStatus().bakeStartedAt).isNotNull();
    } finally {
      second.stop();
    }
  }
}
