package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.annotated;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.source;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.policy.PolicySet;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 3-6 against an in-memory cluster: pods that leave the selector, denied moves, size
 * limits, and the smaller lies (unhealthy counts, pods on no known revision, per-pod bake).
 */
class DeliveryIntegrityTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String NAME = "bot-features";
  static final String KYVERNO =
      "admission webhook \"validate.kyverno.svc-fail\" denied the request: policy"
          + " pods/no-annotation-edits: annotations are immutable";

  FakeCluster cluster;
  GuardedRollout rollout;
  GuardedRolloutStatus status;
  Instant now;

  @BeforeEach
  void setUp() {
    cluster = new FakeCluster();
    rollout = RolloutFixtures.rollout(NAME, NAME, 60, "1", "50%", "100%");
    status = new GuardedRolloutStatus();
    now = T0;
    cluster.rollouts.add(NAME);
    for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
      cluster.put(pod(p, "node-" + p.charAt(2)));
    }
    stable(4, 10);
    cluster.put(source(NAME, features(10)));
  }

  Step run(RolloutPhase phase) {
    RolloutServices services =
        new RolloutServices(
            ns -> PolicySet.EMPTY,
            (pods, check) -> Map.of(),
            new RolloutMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC(),
            FakeCluster.MOVES);
    Optional<ConfigFreeze> freeze =
        Freezes.matching(cluster.freezes, () -> cluster.namespaceLabels);
    RolloutState state =
        new RolloutState(
            rollout,
            status,
            cluster,
            services,
            now,
            BatchPlanner.parse(rollout.getSpec().strategy.steps),
            freeze,
            SpecCheck.errors(rollout.getSpec()));
    status.phase = phase;
    return PhaseHandlers.all().get(phase).handle(state);
  }

  void stable(long revision, int count) {
    ConfigContent content = ConfigContent.of(source(NAME, features(count)));
    for (Track track : Track.values()) {
      cluster.put(DerivedConfigMaps.build(rollout, track, revision, content.hash(), content));
    }
    status.stableRevision = revision;
    status.stableHash = content.hash();
    status.latestRevision = revision;
  }

  void candidate(long revision, int count, int step) {
    ConfigContent content = ConfigContent.of(source(NAME, features(count)));
    cluster.put(
        DerivedConfigMaps.build(rollout, Track.CANDIDATE, revision, content.hash(), content));
    status.candidateRevision = revision;
    status.candidateHash = content.hash();
    status.latestRevision = revision;
    status.currentStep = step;
    status.totalSteps = 3;
  }

  void onRevision(String pod, long revision) {
    cluster.put(
        annotated(
            cluster.pod(pod),
            RolloutKeys.REVISION,
            Long.toString(revision),
            RolloutKeys.ROLLOUT,
            NAME,
            RolloutKeys.RESTARTS_AT_MOVE,
            "0",
            RolloutKeys.READY_AT_MOVE,
            "true"));
  }

  void relabel(String pod, String app) {
    cluster.put(
        new PodBuilder(cluster.pod(pod))
            .editMetadata()
            .addToLabels("app", app)
            .endMetadata()
            .build());
  }

  Map<String, String> annotationsOf(String pod) {
    return PodHealth.annotations(cluster.pod(pod));
  }

  @Nested
  class PodsThatLeaveTheSelector {
    @Test
    void aCandidatePodRelabelledOutOfTheSelectorIsReleasedToStable() {
      candidate(5, 12, 2);
      onRevision("p-a1", 5);
      onRevision("p-b1", 5);
      status.bakeStartedAt = T0.toString();
      relabel("p-a1", "debug");
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.Progressing);
      assertThat(annotationsOf("p-a1"))
          .doesNotContainKeys(RolloutKeys.REVISION, RolloutKeys.ROLLOUT);
      assertThat(cluster.eventReasons()).contains("PodsReleased");
      assertThat(cluster.revisionOf("p-b1")).isEqualTo("5");
    }

    @Test
    void aRollbackReturnsEveryClaimedPodNotOnlyTheSelectedOnes() {
      candidate(5, 12, 2);
      onRevision("p-a1", 5);
      onRevision("p-b1", 5);
      cluster.put(withReady(cluster.pod("p-b1"), false));
      // The selector is narrowed mid-rollout: p-a1 (on the candidate) is no longer selected.
      rollout.getSpec().selector.matchExpressions =
          List.of(requirement("kubernetes.io/hostname", "DoesNotExist"));
      relabelHost("p-a1");
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.RolledBack);
      assertThat(status.message).endsWith("returning 1 pods to stable revision 4");
      run(RolloutPhase.RolledBack);
      assertThat(cluster.revisionOf("p-b1")).isEqualTo("4");
      assertThat(annotationsOf("p-a1"))
          .as("no later revision can leave p-a1 on 5, which no ConfigMap will hold")
          .doesNotContainKeys(RolloutKeys.REVISION, RolloutKeys.ROLLOUT);
    }

    private void relabelHost(String pod) {
      cluster.put(
          new PodBuilder(cluster.pod(pod))
              .editMetadata()
              .addToLabels("kubernetes.io/hostname", "n1")
              .endMetadata()
              .build());
    }
  }

  static io.configguard.api.Selector.Requirement requirement(String key, String operator) {
    io.configguard.api.Selector.Requirement r = new io.configguard.api.Selector.Requirement();
    r.key = key;
    r.operator = operator;
    return r;
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "403|admission webhook \"validate.kyverno.svc\" denied the request: blocked|true",
        "400|admission webhook \"x\" denied the request: no|true",
        "422|pods \"p\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed expression|true",
        "403|pods \"p\" is forbidden: User \"system:serviceaccount:cg:cg\" cannot patch resource \"pods\"|false",
        "403|pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\"|true",
        "409|Operation cannot be fulfilled on pods \"p\": the object has been modified|false",
        "422|the server rejected our request due to an error in our request|false",
        "404|pods \"p\" not found|false"
      })
  void aDenialIsToldFromAPreconditionByItsReason(int code, String message, boolean denial) {
    assertThat(KubernetesCluster.isDenial(code, message)).isEqualTo(denial);
  }

  @Nested
  class DeniedMoves {
    @BeforeEach
    void denyEveryPodPatch() {
      candidate(5, 12, 1);
      cluster.denial = p -> KYVERNO;
    }

    @Test
    void aDenialIsNotRetriedAtOnceNorTakenForAStaleView() {
      Step step = run(RolloutPhase.Progressing);
      assertThat(cluster.writes).containsExactly("patch pod p-a1");
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Progressing, Duration.ofSeconds(2)));
      assertThat(status.deniedMoves).isEqualTo(1);
      assertThat(status.lastDenial).isEqualTo("pod p-a1: " + KYVERNO);
      assertThat(status.message).contains("1 denied move", KYVERNO);
      assertThat(cluster.events)
          .containsExactly("MoveDenied: pointing pod p-a1 at revision 5 was denied: " + KYVERNO);
    }

    @Test
    void deniedMovesBackOffExponentiallyAndThenRollTheRevisionBack() {
      List<Long> attemptsAt = new java.util.ArrayList<>();
      Step step = null;
      for (int second = 0; second <= 600; second++) {
        now = T0.plusSeconds(second);
        long before = cluster.podWrites();
        step = run(RolloutPhase.Progressing);
        if (cluster.podWrites() > before) {
          attemptsAt.add((long) second);
        }
        if (step.phase() != RolloutPhase.Progressing) {
          break;
        }
      }
      // 2 s, then twice as long after each denial; the eighth denial rolls back.
      assertThat(attemptsAt).containsExactly(0L, 2L, 6L, 14L, 30L, 62L, 126L, 254L);
      assertThat(cluster.podWrites()).isEqualTo(8);
      assertThat(step.phase()).isEqualTo(RolloutPhase.RolledBack);
      assertThat(status.failedRevisions)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.revision).isEqualTo(5);
                assertThat(f.reason)
                    .startsWith("moving pods to revision 5 was denied 8 times")
                    .contains(KYVERNO);
              });
      assertThat(status.deniedMoves).isNull();
      // Eight identical Events: the cluster aggregates them into one object (see Events).
      assertThat(cluster.events.stream().filter(e -> e.startsWith("MoveDenied")).distinct())
          .hasSize(1);
    }

    @Test
    void theBackOffHoldsAgainstPodEventsAndRestarts() {
      run(RolloutPhase.Progressing);
      // A pod changes (kubelet) one second later: the rollout wakes up, but does not ask again.
      now = T0.plusSeconds(1);
      Step step = run(RolloutPhase.Progressing);
      assertThat(cluster.podWrites()).isEqualTo(1);
      assertThat(step.requeue()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void oneAllowedMoveEndsTheBackOff() {
      run(RolloutPhase.Progressing);
      cluster.denial = p -> null;
      now = T0.plusSeconds(2);
      run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(status.deniedMoves).isNull();
      assertThat(status.lastDenial).isNull();
    }
  }

  @Nested
  class SizeLimits {
    @BeforeEach
    void newRevision() {
      status.candidateRevision = 5L;
    }

    private void sourceOf(int bytes) {
      ConfigMap big = source(NAME, "x".repeat(bytes));
      cluster.put(big);
      status.candidateHash = ConfigContent.of(big).hash();
    }

    @Test
    void aSourceAtTheLimitFailsPreflightAndNothingIsWritten() {
      sourceOf(Preflight.MAX_DATA_BYTES);
      Step step = run(RolloutPhase.Validating);
      assertThat(step.phase()).isEqualTo(RolloutPhase.Failed);
      assertThat(status.failedRevisions.get(0).reason)
          .isEqualTo(
              "the staged copy would hold 1048577 bytes of data (1048576 from the source + 1 for"
                  + " the configguard-revision key), over the API server's limit of 1048576"
                  + " bytes per ConfigMap; the source must shrink by 1 bytes at least");
      assertThat(cluster.writes).isEmpty();
    }

    @Test
    void multiByteCharactersCountAsTheirUtf8Bytes() {
      ConfigMap big = source(NAME, "é".repeat(Preflight.MAX_DATA_BYTES / 2));
      cluster.put(big);
      status.candidateHash = ConfigContent.of(big).hash();
      assertThat(run(RolloutPhase.Validating).phase()).isEqualTo(RolloutPhase.Failed);
    }

    @Test
    void aSourceThatFitsWithTheRevisionKeyIsStaged() {
      sourceOf(Preflight.MAX_DATA_BYTES - 1);
      assertThat(run(RolloutPhase.Validating).phase()).isEqualTo(RolloutPhase.Progressing);
      assertThat(cluster.writes).containsExactly("update configmap bot-features-candidate");
    }

    @Test
    void aFirstRevisionAtTheLimitIsNotStagedEither() {
      cluster.maps.clear();
      status.stableRevision = null;
      status.stableHash = null;
      status.candidateRevision = 1L;
      sourceOf(Preflight.MAX_DATA_BYTES);
      assertThat(run(RolloutPhase.Validating).phase()).isEqualTo(RolloutPhase.Failed);
      assertThat(cluster.writes).isEmpty();
    }
  }

  @Nested
  class HonestReports {
    @Test
    void unhealthyPodsWithinTheToleranceAreCountedInStepPassedAndPromoted() {
      rollout.getSpec().strategy.maxUnhealthyPods = 10;
      candidate(5, 12, 3);
      for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
        onRevision(p, 5);
      }
      cluster.put(withReady(cluster.pod("p-b2"), false));
      status.bakeStartedAt = T0.minusSeconds(61).toString();
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.Succeeded);
      assertThat(cluster.events)
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("StepPassed:")
                      .contains("1 of 4 candidate pods unhealthy (tolerated 10): p-b2")
                      .doesNotContain("every candidate pod stayed healthy"))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("Promoted:")
                      .endsWith("4 pods passed 3 steps, 1 of them unhealthy (tolerated 10): p-b2"));
    }

    @Test
    void aPodForgedOntoARevisionNoTrackHoldsIsCountedReportedAndRepaired() {
      cluster.put(
          annotated(
              cluster.pod("p-b2"), RolloutKeys.ROLLOUT, "ghost", RolloutKeys.REVISION, "999"));
      run(RolloutPhase.Succeeded);
      assertThat(status.podsOnUnknownRevision).isEqualTo(1);
      assertThat(cluster.events)
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("UnknownRevision: 1 selected pods point at a revision")
                      .contains("p-b2 (revision 999 of ghost)"));
      assertThat(cluster.revisionOf("p-b2")).isEqualTo("4");
      assertThat(annotationsOf("p-b2")).containsEntry(RolloutKeys.ROLLOUT, NAME);
      run(RolloutPhase.Succeeded);
      assertThat(status.podsOnUnknownRevision).isNull();
    }

    @Test
    void aForgedNumberOnAClaimedPodIsRepairedMidRolloutToo() {
      candidate(5, 12, 1);
      onRevision("p-b2", 999);
      run(RolloutPhase.Progressing);
      assertThat(status.podsOnUnknownRevision).isEqualTo(1);
      assertThat(cluster.revisionOf("p-b2")).isIn("4", "5");
    }
  }

  @Nested
  class PerPodBake {
    @Test
    void aPodAddedDuringTheFinalBakeDoesNotRestartTheOthersBake() {
      candidate(5, 12, 3);
      for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
        onRevision(p, 5);
      }
      status.stepStartedAt = T0.toString();
      status.bakeStartedAt = T0.toString();
      now = T0.plusSeconds(30);
      cluster.put(
          new PodBuilder(pod("p-c1", "node-c"))
              .editMetadata()
              .withCreationTimestamp(now.toString())
              .endMetadata()
              .build());
      run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-c1")).isEqualTo("5");
      assertThat(annotationsOf("p-c1")).containsEntry(RolloutKeys.MOVED_AT, now.toString());
      assertThat(status.bakeStartedAt).isEqualTo(T0.toString());
      now = T0.plusSeconds(60);
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.Succeeded);
      assertThat(cluster.events)
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("StepPassed:")
                      .contains(
                          "every candidate pod stayed healthy: 4 for 60s, 1 moved during the bake (pods"
                              + " came and went) for 30s at least"));
    }

    @Test
    void aPartBatchStartsTheBakeOnlyOnceTheBatchIsComplete() {
      candidate(5, 12, 2);
      cluster.beforePatch =
          stored -> {
            if (!stored.getMetadata().getName().equals("p-a1")) {
              // kubelet, every time
              stored
                  .getMetadata()
                  .setResourceVersion(stored.getMetadata().getResourceVersion() + "0");
            }
          };
      run(RolloutPhase.Progressing); // step 2 wants 2 pods: only p-a1 moves
      assertThat(status.updatedPods).isEqualTo(1);
      assertThat(status.bakeStartedAt).isNull();
      cluster.beforePatch = p -> {};
      now = T0.plusSeconds(2);
      run(RolloutPhase.Progressing);
      assertThat(status.updatedPods).isEqualTo(2);
      assertThat(status.bakeStartedAt).isEqualTo(now.toString());
    }
  }
}
