package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.revisionOf;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutInvariants.assertEachPodMovedOnceTo;
import static io.configguard.rollout.RolloutInvariants.assertPodsOn;
import static io.configguard.rollout.RolloutInvariants.assertStableHolds;
import static io.configguard.rollout.RolloutInvariants.revisionsWritten;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.Faults;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Drills operator crashes and API failures: kills the operator at each phase of a rollout (nothing
 * it sends after the kill point reaches the API server) and checks that a new one converges without
 * breaking an invariant; answers pod and status writes with 409s and 500s and checks that the
 * retries are few, spaced, and end in Succeeded.
 */
class FaultDrillIT {
  static final String NAME = "bot-features";
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  /**
   * Where the first operator dies: the last of its requests the API server gets. Six pods, steps
   * 50% and 100%: each step moves three pods.
   */
  enum KillPoint {
    /** Revision 2 is in the candidate ConfigMap; the status does not know it yet. */
    CANDIDATE_WRITTEN(
        1,
        0,
        ns -> r -> r.writesConfigMap(ns, NAME + "-candidate") && "2".equals(r.configRevision())),
    /** Step 1 has moved two of its three pods. */
    MID_STEP(1, 2, ns -> Faults.nth(2, r -> r.movesPodTo(ns, "2"))),
    /** Every pod is on revision 2 and the status records the last step's bake clock. */
    BAKING(
        1,
        6,
        ns ->
            Faults.after(
                Faults.nth(6, r -> r.movesPodTo(ns, "2")),
                r -> r.is("PATCH", "/guardedrollouts/" + NAME + "/status"))),
    /** A step 1 pod went NotReady while baking; the status says RolledBack, no pod is back yet. */
    ROLLBACK_DECIDED(
        30,
        3,
        ns ->
            r ->
                r.is("PATCH", "/namespaces/" + ns + "/guardedrollouts/" + NAME + "/status")
                    && r.body().contains("RolledBack")),
    /** The same, and one of the three candidate pods is back on revision 1. */
    ROLLING_BACK(30, 2, ns -> r -> r.movesPodTo(ns, "1")),
    /** The stable ConfigMap got revision 2; the status still says Progressing. */
    PROMOTING(
        1, 6, ns -> r -> r.writesConfigMap(ns, NAME + "-stable") && "2".equals(r.configRevision()));

    final int bakeSeconds;
    final int onCandidateAtDeath;
    final Function<String, Predicate<Request>> lastRequest;

    KillPoint(
        int bakeSeconds, int onCandidateAtDeath, Function<String, Predicate<Request>> lastRequest) {
      this.bakeSeconds = bakeSeconds;
      this.onCandidateAtDeath = onCandidateAtDeath;
      this.lastRequest = lastRequest;
    }

    boolean rollsBack() {
      return this == ROLLBACK_DECIDED || this == ROLLING_BACK;
    }
  }

  @ParameterizedTest
  @EnumSource(KillPoint.class)
  void aNewOperatorFinishesWhatAKilledOneStartedWithoutBreakingAnInvariant(KillPoint point)
      throws Exception {
    String ns = "kill-" + point.name().toLowerCase(Locale.ROOT).replace('_', '-');
    RequestLog firstLog = new RequestLog();
    RequestLog secondLog = new RequestLog();
    try (Faults faults = new Faults().killAfter(point.lastRequest.apply(ns))) {
      Operator first = OperatorHarness.start(cluster, firstLog, faults, o -> {});
      List<String> pods;
      try {
        pods = OperatorHarness.pods(client, ns, "proxy", 6, 3);
        source(client, ns, NAME, features(10));
        OperatorHarness.rollout(client, ns, NAME, point.bakeSeconds, "50%", "100%");
        awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
        source(client, ns, NAME, features(12));
        if (point.rollsBack()) {
          failAStepOnePod(ns, pods);
        }
        assertThat(faults.awaitKilled(20)).as("the first operator reached " + point).isTrue();
      } finally {
        first.stop();
      }
      assertThat(pods.stream().filter(p -> "2".equals(revisionOf(client, ns, p))))
          .as("pods on revision 2 when the operator died")
          .hasSize(point.onCandidateAtDeath);
      if (point == KillPoint.PROMOTING) {
        assertStableHolds(client, ns, NAME, 2, features(12));
      } else {
        assertStableHolds(client, ns, NAME, 1, features(10));
      }

      Operator second = OperatorHarness.start(cluster, secondLog, o -> {});
      try {
        if (point.rollsBack()) {
          GuardedRollout back = awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);
          OperatorHarness.awaitPodsOn(client, ns, pods, "1", null);
          assertThat(back.getStatus().stableRevision).isEqualTo(1);
          assertThat(back.getStatus().failedRevisions)
              .extracting(f -> f.revision)
              .containsExactly(2L);
          assertPodsOn(client, ns, pods, "1", null);
          assertStableHolds(client, ns, NAME, 1, features(10));
          assertThat(revisionsWritten(ns, NAME + "-stable", firstLog, secondLog))
              .containsExactly("1");
        } else {
          GuardedRollout done =
              awaitRollout(
                  client, ns, NAME, r -> Long.valueOf(2).equals(r.getStatus().stableRevision));
          assertThat(done.getStatus().phase).isEqualTo(RolloutPhase.Succeeded);
          assertThat(done.getStatus().latestRevision).isEqualTo(2);
          assertPodsOn(client, ns, pods, "2");
          assertStableHolds(client, ns, NAME, 2, features(12));
          assertThat(revisionsWritten(ns, NAME + "-stable", firstLog, secondLog))
              .containsExactly("1", "2");
        }
        assertEachPodMovedOnceTo(ns, List.of("1", "2"), firstLog, secondLog);
      } finally {
        second.stop();
      }
    }
  }

  @Test
  void conflictsAndServerErrorsOnPodAndStatusWritesAreRetriedBoundedWithBackoff() throws Exception {
    String ns = "api-faults";
    String statusPath = "/namespaces/" + ns + "/guardedrollouts/" + NAME + "/status";
    RequestLog log = new RequestLog();
    try (Faults faults = new Faults()) {
      Operator operator = OperatorHarness.start(cluster, log, faults, o -> {});
      try {
        List<String> pods = OperatorHarness.pods(client, ns, "proxy", 6, 3);
        source(client, ns, NAME, features(10));
        OperatorHarness.rollout(client, ns, NAME, 1, "50%", "100%");
        awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
        int armedAt = log.requests().size();
        faults
            .answer(r -> r.movesPodTo(ns, "2"), 409, 500)
            .answer(r -> r.is("PATCH", statusPath), 409, 500);
        source(client, ns, NAME, features(12));

        GuardedRollout done =
            awaitRollout(
                client, ns, NAME, r -> Long.valueOf(2).equals(r.getStatus().stableRevision));
        assertThat(done.getStatus().phase).isEqualTo(RolloutPhase.Succeeded);
        assertThat(done.getStatus().latestRevision).isEqualTo(2);
        assertPodsOn(client, ns, pods, "2");
        assertEachPodMovedOnceTo(ns, List.of("2"), log);

        for (String pod : pods) {
          List<Request> calls = log.requests(r -> r.path().endsWith("/pods/" + pod));
          List<Request> patches = calls.stream().filter(r -> r.is("PATCH", pod)).toList();
          // 409: the pod is read again and, its annotations unchanged, patched once more;
          // 500: the client retries the same patch after its backoff.
          assertThat(patches)
              .extracting(FaultDrillIT::answer)
              .as("patches of %s", pod)
              .containsExactly(409, 500, 200);
          assertThat(calls.subList(calls.indexOf(patches.get(0)), calls.indexOf(patches.get(1))))
              .as("%s is read again after the 409", pod)
              .anyMatch(r -> r.method().equals("GET"));
          assertThat(millisBetween(patches.get(1), patches.get(2))).isGreaterThanOrEqualTo(100);
        }
        List<Request> statusPatches =
            log.requests(r -> r.sequence() > armedAt && r.is("PATCH", statusPath));
        // 409 fails the reconcile and the operator SDK retries it after its backoff (2 s).
        assertThat(statusPatches)
            .extracting(FaultDrillIT::answer)
            .startsWith(409, 500, 200)
            .filteredOn(code -> code != 200)
            .hasSize(2);
        assertThat(millisBetween(statusPatches.get(0), statusPatches.get(1)))
            .isGreaterThanOrEqualTo(1000);
        assertThat(millisBetween(statusPatches.get(1), statusPatches.get(2)))
            .isGreaterThanOrEqualTo(100);
      } finally {
        operator.stop();
      }
    }
  }

  /** The status a request got: the injected one, or the server's with any 2xx as 200. */
  private static int answer(Request r) {
    return r.injected() > 0 ? r.injected() : r.code() / 100 == 2 ? 200 : r.code();
  }

  private static long millisBetween(Request earlier, Request later) {
    return (later.nanos() - earlier.nanos()) / 1_000_000;
  }

  /** Waits for step 1 of revision 2 to bake, then makes one of its pods NotReady. */
  private static void failAStepOnePod(String ns, List<String> pods) {
    awaitRollout(
        client,
        ns,
        NAME,
        r ->
            Integer.valueOf(3).equals(r.getStatus().updatedPods)
                && r.getStatus().bakeStartedAt != null);
    String canary =
        pods.stream().filter(p -> "2".equals(revisionOf(client, ns, p))).findFirst().orElseThrow();
    OperatorHarness.kubelet(client, ns, canary, OperatorHarness::notReady);
  }
}
