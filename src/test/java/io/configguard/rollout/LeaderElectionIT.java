package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutInvariants.assertEachPodMovedOnceTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.Faults;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drills leader election: of two operator replicas with a Lease only the leader writes; the leader
 * dies in the middle of a step, and the other takes over within the lease duration and finishes the
 * rollout without moving any pod twice.
 */
class LeaderElectionIT {
  static final Duration LEASE = Duration.ofSeconds(4);
  static final Duration RENEW_DEADLINE = Duration.ofSeconds(3);
  static final Duration RETRY = Duration.ofMillis(500);
  static final String NAME = "bot-features";
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  @Test
  void whenTheLeaderDiesMidStepTheOtherReplicaTakesOverWithinTheLeaseAndFinishes()
      throws Exception {
    String ns = "ha";
    RequestLog logA = new RequestLog();
    RequestLog logB = new RequestLog();
    try (Faults faultsA = new Faults();
        Faults faultsB = new Faults()) {
      Operator a =
          OperatorHarness.start(
              cluster, logA, faultsA, o -> o.withLeaderElectionConfiguration(lease("a")));
      Operator b =
          OperatorHarness.start(
              cluster, logB, faultsB, o -> o.withLeaderElectionConfiguration(lease("b")));
      try {
        List<String> pods = OperatorHarness.pods(client, ns, "proxy", 6, 3);
        source(client, ns, NAME, features(10));
        OperatorHarness.rollout(client, ns, NAME, 1, "50%", "100%");
        awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
        List<Request> byA = rolloutWrites(logA);
        List<Request> byB = rolloutWrites(logB);
        assertThat(byA.isEmpty())
            .as("exactly one replica wrote: A %s, B %s", byA, byB)
            .isNotEqualTo(byB.isEmpty());
        boolean aLeads = !byA.isEmpty();
        Faults leader = aLeads ? faultsA : faultsB;
        RequestLog followerLog = aLeads ? logB : logA;

        // The leader dies after two of step 1's three moves: no renewal, no status, no third pod.
        leader.killAfter(Faults.nth(2, r -> r.movesPodTo(ns, "2")));
        source(client, ns, NAME, features(12));
        assertThat(leader.awaitKilled(20)).as("the leader reached the middle of step 1").isTrue();
        GuardedRollout done =
            awaitRollout(
                client, ns, NAME, r -> Long.valueOf(2).equals(r.getStatus().stableRevision));

        long died = leader.killedAt();
        assertThat(rolloutWrites(followerLog))
            .as("the follower's writes before the leader died")
            .noneMatch(r -> r.nanos() < died);
        Request takeover =
            followerLog
                .requests(r -> r.nanos() > died && r.isWrite() && r.path().contains("/leases/"))
                .get(0);
        Request firstAct = rolloutWrites(followerLog).get(0);
        Duration toLease = Duration.ofNanos(takeover.nanos() - died);
        Duration toAct = Duration.ofNanos(firstAct.nanos() - died);
        assertThat(toLease)
            .as("lease taken over %s after the leader died (lease %s)", toLease, LEASE)
            .isLessThan(LEASE.plus(RENEW_DEADLINE));
        assertThat(toAct).isGreaterThanOrEqualTo(toLease);

        assertThat(done.getStatus().phase).isEqualTo(RolloutPhase.Succeeded);
        RolloutInvariants.assertPodsOn(client, ns, pods, "2");
        RolloutInvariants.assertStableHolds(client, ns, NAME, 2, features(12));
        assertEachPodMovedOnceTo(ns, List.of("2"), logA, logB);
        assertThat(RolloutInvariants.moves(ns, followerLog))
            .as("pods the follower moved")
            .hasSize(4);
      } finally {
        a.stop();
        b.stop();
      }
    }
  }

  private static LeaderElectionConfiguration lease(String identity) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration("configguard-test")
        .withLeaseNamespace("default")
        .withIdentity(identity)
        .withLeaseDuration(LEASE)
        .withRenewDeadline(RENEW_DEADLINE)
        .withRetryPeriod(RETRY)
        .build();
  }

  /** Everything a replica wrote (and got an answer for) except its lease bookkeeping. */
  private static List<Request> rolloutWrites(RequestLog log) {
    return log.requests(
        r ->
            r.isWrite()
                && r.code() != 0
                && !r.path().contains("/leases")
                && !r.path().contains("selfsubjectrulesreviews"));
  }
}
