package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.RolloutPhase;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two operator replicas with a Lease: only the leader writes; the other takes over on loss. */
@EnableKubernetesMockClient(crud = true, https = false)
class LeaderElectionIT {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void withTwoOperatorsOnlyTheLeaderWritesAndTheOtherTakesOver() throws Exception {
    // The mock does not implement the lease-access check JOSDK makes before electing.
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .withIncomplete(false)
                .withResourceRules(
                    new ResourceRuleBuilder()
                        .withApiGroups("coordination.k8s.io")
                        .withResources("leases")
                        .withVerbs("get", "create", "update")
                        .build())
                .endStatus()
                .build())
        .always();
    OperatorHarness.installCrds(client);
    RequestLog logA = new RequestLog();
    RequestLog logB = new RequestLog();
    Operator a =
        OperatorHarness.start(server, logA, o -> o.withLeaderElectionConfiguration(lease("a")));
    Operator b =
        OperatorHarness.start(server, logB, o -> o.withLeaderElectionConfiguration(lease("b")));
    Operator leader = null;
    try {
      String ns = "ha";
      OperatorHarness.pods(client, ns, "proxy", 3, 2);
      source(client, ns, "bot-features", features(10));
      OperatorHarness.rollout(client, ns, "bot-features", 0, "1", "100%");
      awaitPhase(client, ns, "bot-features", RolloutPhase.Succeeded);
      source(client, ns, "bot-features", features(12));
      awaitRollout(
          client, ns, "bot-features", r -> Long.valueOf(2).equals(r.getStatus().stableRevision));

      List<String> byA = rolloutWrites(logA);
      List<String> byB = rolloutWrites(logB);
      assertThat(byA.isEmpty())
          .as("exactly one replica wrote: A %s, B %s", byA, byB)
          .isNotEqualTo(byB.isEmpty());
      leader = byA.isEmpty() ? b : a;
      RequestLog followerLog = byA.isEmpty() ? logA : logB;
      assertThat(rolloutWrites(byA.isEmpty() ? logB : logA))
          .anyMatch(w -> w.startsWith("PATCH") && w.contains("/pods/"))
          .anyMatch(w -> w.contains("/guardedrollouts/bot-features/status"));

      leader.stop();
      source(client, ns, "bot-features", features(14));
      awaitRollout(
          client, ns, "bot-features", r -> Long.valueOf(3).equals(r.getStatus().stableRevision));
      assertThat(rolloutWrites(followerLog)).anyMatch(w -> w.contains("/pods/"));
    } finally {
      if (leader != a) {
        a.stop();
      }
      if (leader != b) {
        b.stop();
      }
    }
  }

  private static LeaderElectionConfiguration lease(String identity) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration("configguard-test")
        .withLeaseNamespace("default")
        .withIdentity(identity)
        .withLeaseDuration(Duration.ofSeconds(4))
        .withRenewDeadline(Duration.ofSeconds(3))
        .withRetryPeriod(Duration.ofMillis(500))
        .build();
  }

  /** Everything a replica wrote except its lease bookkeeping. */
  private static List<String> rolloutWrites(RequestLog log) {
    return log.writes().stream()
        .filter(w -> !w.contains("/leases") && !w.contains("selfsubjectrulesreviews"))
        .toList();
  }
}
