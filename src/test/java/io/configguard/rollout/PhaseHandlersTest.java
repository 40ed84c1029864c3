package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.annotated;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.source;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static io.configguard.rollout.RolloutFixtures.withRestarts;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HealthCheck;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutPhase;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each phase handler against an in-memory cluster: what it writes, and where it goes next. */
class PhaseHandlersTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String NAME = "bot-features";

  FakeCluster cluster;
  GuardedRollout rollout;
  GuardedRolloutStatus status;
  Instant now;
  PolicySet policies;
  Map<String, ProbeResult> probes;

  @BeforeEach
  void setUp() {
    cluster = new FakeCluster();
    rollout = RolloutFixtures.rollout(NAME, NAME, 60, "1", "50%", "100%");
    status = new GuardedRolloutStatus();
    now = T0;
    policies = PolicySet.EMPTY;
    probes = new HashMap<>();
    cluster.rollouts.add(NAME);
    for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
      cluster.put(pod(p, "node-" + p.charAt(2)));
    }
  }

  RolloutState state() {
    RolloutServices services =
        new RolloutServices(
            ns -> policies,
            (pods, check) -> probes,
            new RolloutMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC(),
            FakeCluster.MOVES);
    Optional<ConfigFreeze> freeze =
        Freezes.matching(cluster.freezes, () -> cluster.namespaceLabels);
    return new RolloutState(
        rollout,
        status,
        cluster,
        services,
        now,
        BatchPlanner.parse(rollout.getSpec().strategy.steps),
        freeze,
        SpecCheck.errors(rollout.getSpec()));
  }

  /** Runs {@code phase}'s handler as the reconciler does, after any earlier phase in status. */
  Step run(RolloutPhase phase) {
    RolloutState state = state();
    status.phase = phase;
    return PhaseHandlers.all().get(phase).handle(state);
  }

  /** Stable revision {@code revision} with {@code count} features, in status and both tracks. */
  void stable(long revision, int count) {
    ConfigContent content = ConfigContent.of(source(NAME, features(count)));
    for (Track track : Track.values()) {
      cluster.put(DerivedConfigMaps.build(rollout, track, revision, content.hash(), content));
    }
    status.stableRevision = revision;
    status.stableHash = content.hash();
    status.latestRevision = revision;
  }

  /** Candidate {@code revision} staged in the candidate track, at {@code step}. */
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

  long revisionIn(Track track) {
    return DerivedConfigMaps.revisionOf(cluster.maps.get(track.nameFor(NAME))).orElse(-1);
  }

  @Nested
  class Idle {
    @Test
    void withoutASourceItWaits() {
      Step step = run(RolloutPhase.Pending);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Pending, null));
      assertThat(status.message).isEqualTo("waiting for ConfigMap bot-features");
      assertThat(cluster.writes).isEmpty();
    }

    @Test
    void newContentBecomesTheNextRevision() {
      stable(4, 10);
      cluster.put(source(NAME, features(12)));
      Step step = run(RolloutPhase.Succeeded);
      assertThat(step).isEqualTo(Step.go(RolloutPhase.Validating));
      assertThat(status.candidateRevision).isEqualTo(5);
      assertThat(status.candidateHash)
          .isEqualTo(ConfigContent.of(source(NAME, features(12))).hash());
      assertThat(cluster.eventReasons()).containsExactly("NewRevision");
      assertThat(cluster.writes).isEmpty();
    }

    @Test
    void theStableContentIsNothingNew() {
      stable(4, 10);
      cluster.put(source(NAME, features(10)));
      assertThat(run(RolloutPhase.Succeeded)).isEqualTo(Step.rest(RolloutPhase.Succeeded, null));
      assertThat(status.candidateRevision).isNull();
    }

    @Test
    void aFailedHashWrittenAgainIsRecordedOnceAndNotRetried() {
      stable(4, 10);
      cluster.put(source(NAME, features(300)));
      String bad = ConfigContent.of(source(NAME, features(300))).hash();
      status.failedRevisions.add(new io.configguard.api.FailedRevision(5L, bad, "pre-flight", ""));
      assertThat(run(RolloutPhase.Failed)).isEqualTo(Step.rest(RolloutPhase.Failed, null));
      assertThat(status.message).contains("failed as revision 5 and is not attempted again");
      assertThat(run(RolloutPhase.Failed)).isEqualTo(Step.rest(RolloutPhase.Failed, null));
      assertThat(cluster.eventReasons()).containsExactly("RevisionSkipped");
      assertThat(status.candidateRevision).isNull();
    }

    @Test
    void anOpenCircuitTakesNothingUntilTheSpecChanges() {
      stable(4, 10);
      status.consecutiveFailures = 3;
      status.circuitOpenGeneration = 1L;
      cluster.put(source(NAME, features(11)));
      assertThat(run(RolloutPhase.Failed).now()).isFalse();
      assertThat(status.message).startsWith("circuit open after 3 failed revisions");
      rollout.getMetadata().setGeneration(2L);
      assertThat(run(RolloutPhase.Failed)).isEqualTo(Step.go(RolloutPhase.Validating));
      assertThat(status.circuitOpenGeneration).isNull();
      assertThat(cluster.eventReasons()).contains("CircuitClosed", "NewRevision");
    }

    @Test
    void claimedPodsLeftOnAnotherNumberReturnToStable() {
      stable(6, 10);
      cluster.put(source(NAME, features(10)));
      onRevision("p-a1", 7);
      onRevision("p-b1", 6);
      run(RolloutPhase.RolledBack);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("6");
      assertThat(cluster.podWrites()).isEqualTo(1);
    }

    @Test
    void anInvalidSpecIsHeldWithItsReasons() {
      rollout.getSpec().strategy.steps = List.of("1", "lots");
      status.heldFrom = RolloutPhase.Succeeded;
      status.phase = RolloutPhase.Failed;
      RolloutState state =
          new RolloutState(
              rollout,
              status,
              cluster,
              null,
              now,
              List.of(),
              Optional.empty(),
              SpecCheck.errors(rollout.getSpec()));
      assertThat(new IdleHandler().handle(state)).isEqualTo(Step.rest(RolloutPhase.Failed, null));
      assertThat(status.message).startsWith("invalid spec: spec.strategy.steps[1]");
    }
  }

  @Nested
  class Validating {
    @BeforeEach
    void newRevision() {
      cluster.put(source(NAME, features(12)));
      status.candidateRevision = 1L;
      status.candidateHash = ConfigContent.of(source(NAME, features(12))).hash();
    }

    @Test
    void preflightFailsClosedWhileNoTrackHoldsTheStableRevision() {
      status.stableRevision = 4L;
      status.stableHash = ConfigContent.of(source(NAME, features(10))).hash();
      status.candidateRevision = 5L;

      Step step = run(RolloutPhase.Validating);

      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Validating, Requeue.VALIDATION_RETRY));
      assertThat(status.message)
          .isEqualTo(
              "revision 5 waits: pre-flight compares with stable revision 4 ("
                  + status.stableHash
                  + "), but bot-features-stable is missing");
      assertThat(cluster.writes).isEmpty();
      assertThat(status.failedRevisions).isNullOrEmpty();
    }

    @Test
    void theFirstRevisionBecomesStableWithoutStaging() {
      Step step = run(RolloutPhase.Validating);
      assertThat(step.phase()).isEqualTo(RolloutPhase.Succeeded);
      assertThat(revisionIn(Track.STABLE)).isEqualTo(1);
      assertThat(revisionIn(Track.CANDIDATE)).isEqualTo(1);
      assertThat(status.stableRevision).isEqualTo(1);
      assertThat(status.candidateRevision).isNull();
      assertThat(cluster.podWrites()).isZero();
      assertThat(status.history)
          .singleElement()
          .extracting(h -> h.outcome)
          .isEqualTo(RolloutPhase.Succeeded);
    }

    @Test
    void aLaterRevisionIsStagedInTheCandidateOnly() {
      stable(4, 10);
      status.candidateRevision = 5L;
      Step step = run(RolloutPhase.Validating);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Progressing, Duration.ZERO));
      assertThat(revisionIn(Track.STABLE)).isEqualTo(4);
      assertThat(revisionIn(Track.CANDIDATE)).isEqualTo(5);
      assertThat(cluster.maps.get("bot-features-candidate").getData().get("features.json"))
          .isEqualTo(features(12));
      assertThat(status.currentStep).isEqualTo(1);
      assertThat(status.totalSteps).isEqualTo(3);
      assertThat(cluster.writes).containsExactly("update configmap bot-features-candidate");
    }

    @Test
    void aDenyViolationFailsTheRevisionBeforeAnythingIsWritten() throws Exception {
      policies = PolicySet.of(List.of(maxFeatures(10)));
      stable(4, 10);
      status.candidateRevision = 5L;
      Step step = run(RolloutPhase.Validating);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Failed, Requeue.NOW));
      assertThat(status.failedRevisions)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.revision).isEqualTo(5);
                assertThat(f.hash).isEqualTo(ConfigContent.of(source(NAME, features(12))).hash());
                assertThat(f.reason).startsWith("pre-flight: bot-features/size");
              });
      assertThat(status.candidateRevision).isNull();
      assertThat(status.consecutiveFailures).isEqualTo(1);
      assertThat(cluster.writes).isEmpty();
      assertThat(cluster.eventReasons()).containsExactly("PreflightFailed");
    }

    @Test
    void theReservedKeyFailsTheRevision() {
      ConfigMap bad = source(NAME, "{}");
      bad.getData().put(DerivedConfigMaps.REVISION_KEY, "99");
      cluster.put(bad);
      status.candidateHash = ConfigContent.of(bad).hash();
      assertThat(run(RolloutPhase.Validating).phase()).isEqualTo(RolloutPhase.Failed);
      assertThat(status.failedRevisions.get(0).reason).contains("reserved key");
    }

    @Test
    void aTrackAlreadyHoldingAHigherNumberIsNeverOverwritten() {
      stable(4, 10);
      candidate(9, 30, 1);
      status.candidateRevision = 5L;
      status.candidateHash = ConfigContent.of(source(NAME, features(12))).hash();
      Step step = run(RolloutPhase.Validating);
      assertThat(step.phase()).isEqualTo(RolloutPhase.Validating);
      assertThat(status.message).contains("already holds revision 9");
      assertThat(revisionIn(Track.CANDIDATE)).isEqualTo(9);
      assertThat(cluster.writes).isEmpty();
    }
  }

  @Nested
  class TrackRepair {
    @BeforeEach
    void succeeded() {
      stable(4, 10);
    }

    @Test
    void aRevisionKeySetByHandIsPutBackOnlyByAPassWhoseRolloutIsUnchangedOnTheServer() {
      cluster.maps.get("bot-features-stable").getData().put(DerivedConfigMaps.REVISION_KEY, "99");
      cluster.rolloutUnchanged = false;

      Tracks.verify(state());

      assertThat(revisionIn(Track.STABLE)).isEqualTo(99);
      assertThat(cluster.eventReasons()).containsExactly("TrackRepairRefused");
      cluster.rolloutUnchanged = true;
      Tracks.verify(state());
      assertThat(revisionIn(Track.STABLE)).isEqualTo(4);
      assertThat(cluster.events.get(1))
          .isEqualTo(
              "TrackRepaired: bot-features-stable holds revision 99 with content "
                  + status.stableHash
                  + "; restored the staged revision 4 ("
                  + status.stableHash
                  + ") from bot-features-stable");
    }

    @Test
    void aDeletedStableIsReCreatedFromTheCandidateCopy() {
      cluster.maps.remove("bot-features-stable");

      Tracks.verify(state());

      assertThat(revisionIn(Track.STABLE)).isEqualTo(4);
      assertThat(cluster.writes).containsExactly("create configmap bot-features-stable");
    }

    @Test
    void withNoCopyLeftNothingIsWrittenAndNoPodIsPointedAtTheLostNumber() {
      cluster.maps.clear();
      onRevision("p-a1", 5);

      Tracks.verify(state());
      boolean settled = Converge.run(state());

      assertThat(settled).isFalse();
      assertThat(status.message)
          .isEqualTo(
              "1 pods are not on stable revision 4 and stay where they are: bot-features-stable is"
                  + " missing and no copy of its content is left");
      assertThat(cluster.writes).isEmpty();
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
    }
  }

  @Nested
  class Adoption {
    /** A -stable released by hand (docs/rollout.md): no owner, labelled released, no record. */
    @BeforeEach
    void releasedByHand() {
      ConfigContent content = ConfigContent.of(source(NAME, features(10)));
      ConfigMap stable = DerivedConfigMaps.build(rollout, Track.STABLE, 3, content.hash(), content);
      stable.getMetadata().setOwnerReferences(List.of());
      stable.getMetadata().getLabels().put(DerivedConfigMaps.RELEASED_LABEL, "true");
      cluster.put(stable);
      cluster.put(source(NAME, features(10)));
    }

    @Test
    void aRolloutOfTheSameNameAdoptsItAndNumbersOnFromTheRevisionItHolds() {
      Step step = run(RolloutPhase.Pending);

      assertThat(step.phase()).isEqualTo(RolloutPhase.Succeeded);
      assertThat(status.stableRevision).isEqualTo(3);
      assertThat(status.latestRevision).isEqualTo(3);
      ConfigMap adopted = cluster.maps.get("bot-features-stable");
      assertThat(adopted.getMetadata().getLabels())
          .doesNotContainKey(DerivedConfigMaps.RELEASED_LABEL);
      assertThat(DerivedConfigMaps.ownedBy(adopted, rollout)).isTrue();
      assertThat(cluster.eventReasons()).containsExactly("Adopted");
    }

    @Test
    void releasedContentThatNoLongerMatchesItsHashIsNotAdoptedAndNothingShips() {
      cluster.maps.get("bot-features-stable").getData().put("features.json", features(99));

      run(RolloutPhase.Pending);

      assertThat(status.stableRevision).isNull();
      assertThat(status.message)
          .isEqualTo(
              "bot-features-stable was released by a deleted GuardedRollout but its content no"
                  + " longer matches its hash: not adopted, and no revision is shipped until it is"
                  + " restored or deleted");
      assertThat(cluster.writes).isEmpty();
    }
  }

  @Nested
  class Deletion {
    @BeforeEach
    void inFlight() {
      stable(4, 10);
      candidate(5, 12, 1);
      onRevision("p-a1", 5);
    }

    @Test
    void candidatePodsGoBackThenCandidateIsDeletedAndStableReleasedWithTheRecord() {
      status.failedRevisions.add(
          new io.configguard.api.FailedRevision(3L, "badbadbadbadbad0", "unhealthy", "t"));

      assertThat(Release.run(state())).isEmpty();

      assertThat(cluster.revisionOf("p-a1")).isEqualTo("4");
      assertThat(cluster.maps).doesNotContainKey("bot-features-candidate");
      ConfigMap stable = cluster.maps.get("bot-features-stable");
      assertThat(stable.getMetadata().getOwnerReferences()).isEmpty();
      assertThat(stable.getMetadata().getLabels())
          .containsEntry(DerivedConfigMaps.RELEASED_LABEL, "true");
      assertThat(stable.getMetadata().getAnnotations())
          .containsEntry(DerivedConfigMaps.LATEST_REVISION_ANNOTATION, "5")
          .containsEntry(
              DerivedConfigMaps.FAILED_ANNOTATION,
              "[{\"revision\":3,\"hash\":\"badbadbadbadbad0\"}]");
      assertThat(cluster.eventReasons()).containsExactly("PodsReturned", "Released");
    }

    @Test
    void aFreezeHoldsTheDeletionAndTheRepairsWithNothingTouched() {
      cluster.freezes.add(
          Serialization.unmarshal(
              "{\"apiVersion\":\"configguard.io/v1alpha1\",\"kind\":\"ConfigFreeze\","
                  + "\"metadata\":{\"name\":\"incident-42\"},\"spec\":{\"reason\":\"INC-42\"}}",
              ConfigFreeze.class));
      cluster.maps.remove("bot-features-stable");
      GuardedRolloutReconciler reconciler = new GuardedRolloutReconciler(state().services());

      assertThat(reconciler.cleanup(rollout, cluster)).contains(Requeue.DELETION_HELD);
      rollout.setStatus(status);
      reconciler.reconcile(rollout, cluster);

      assertThat(cluster.writes).isEmpty();
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(cluster.events.get(0))
          .isEqualTo(
              "DeletionHeld: deletion waits: ConfigFreeze incident-42 holds this namespace; pods"
                  + " and tracks are left as they are until it lifts");
    }

    @Test
    void withNoTrackHoldingStableItWaitsRatherThanEmptyTheCandidatePodsVolume() {
      cluster.maps.remove("bot-features-stable");

      assertThat(Release.run(state())).contains(Requeue.DELETION_HELD);

      assertThat(cluster.maps).containsKey("bot-features-candidate");
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(cluster.events)
          .singleElement()
          .asString()
          .startsWith("DeletionHeld: deletion waits: pods serve candidate revision 5");
    }
  }

  @Nested
  class Progressing {
    @BeforeEach
    void inFlight() {
      stable(4, 10);
      candidate(5, 12, 1);
    }

    @Test
    void theFirstStepMovesOnePodAndBakes() {
      Step step = run(RolloutPhase.Progressing);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Progressing, Duration.ofSeconds(60)));
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(cluster.pod("p-a1").getMetadata().getAnnotations())
          .containsEntry(RolloutKeys.ROLLOUT, NAME)
          .containsEntry(RolloutKeys.RESTARTS_AT_MOVE, "0")
          .containsEntry(RolloutKeys.READY_AT_MOVE, "true");
      assertThat(cluster.podWrites()).isEqualTo(1);
      assertThat(status.updatedPods).isEqualTo(1);
      assertThat(status.bakeStartedAt).isEqualTo(T0.toString());
      assertThat(cluster.eventReasons()).containsExactly("StepStarted");
    }

    @Test
    void aStepPassesOnlyAfterItsBakeThenTheNextMovesSpreadAcrossNodes() {
      run(RolloutPhase.Progressing);
      now = T0.plusSeconds(30);
      assertThat(run(RolloutPhase.Progressing).requeue()).isEqualTo(Duration.ofSeconds(30));
      assertThat(status.currentStep).isEqualTo(1);
      now = T0.plusSeconds(60);
      assertThat(run(RolloutPhase.Progressing))
          .isEqualTo(Step.rest(RolloutPhase.Progressing, Duration.ZERO));
      assertThat(status.currentStep).isEqualTo(2);
      run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-b1")).isEqualTo("5");
      assertThat(status.updatedPods).isEqualTo(2);
      assertThat(cluster.podWrites()).isEqualTo(2);
    }

    @Test
    void anUnhealthyPodRollsTheRevisionBack() {
      onRevision("p-a1", 5);
      onRevision("p-b1", 5);
      status.currentStep = 2;
      status.bakeStartedAt = T0.toString();
      cluster.put(withRestarts(cluster.pod("p-b1"), 1));
      Step step = run(RolloutPhase.Progressing);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.RolledBack, Requeue.NOW));
      assertThat(status.failedRevisions)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.revision).isEqualTo(5);
                assertThat(f.reason).contains("p-b1 restarts 0→1");
              });
      assertThat(status.candidateRevision).isNull();
      assertThat(status.message).endsWith("; returning 2 pods to stable revision 4");
      // The decision reaches the status before any pod is touched; the next pass returns them.
      assertThat(cluster.podWrites()).isZero();
      run(RolloutPhase.RolledBack);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("4");
      assertThat(cluster.revisionOf("p-b1")).isEqualTo("4");
      assertThat(revisionIn(Track.STABLE)).isEqualTo(4);
      assertThat(cluster.eventReasons()).containsExactly("RolledBack", "PodsReturned");
    }

    @Test
    void unhealthyPodsWithinTheToleranceDoNotRollBackButKeepCountingWhenTheyVanish() {
      rollout.getSpec().strategy.maxUnhealthyPods = 1;
      onRevision("p-a1", 5);
      onRevision("p-b1", 5);
      status.currentStep = 2;
      status.bakeStartedAt = T0.toString();
      cluster.put(withReady(cluster.pod("p-b1"), false));
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.Progressing);
      assertThat(status.unhealthyPods).containsExactly("p-b1");
      cluster.pods.remove("p-b1");
      cluster.put(withReady(cluster.pod("p-a1"), false));
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.RolledBack);
      assertThat(status.failedRevisions.get(0).reason)
          .contains("p-a1 not Ready", "p-b1 was unhealthy, then disappeared");
    }

    @Test
    void aPodClaimedByAnotherRolloutMeansConflictAndNothingTouched() {
      cluster.rollouts.add("other");
      cluster.put(annotated(cluster.pod("p-b2"), RolloutKeys.ROLLOUT, "other"));
      Step step = run(RolloutPhase.Progressing);
      assertThat(step.phase()).isEqualTo(RolloutPhase.Conflict);
      assertThat(status.conflictsWith).isEqualTo("other");
      assertThat(status.message).contains("pod p-b2 is claimed by GuardedRollout other");
      assertThat(cluster.writes).isEmpty();
    }

    @Test
    void aClaimByARolloutThatNoLongerExistsDoesNotBlock() {
      cluster.put(annotated(cluster.pod("p-a1"), RolloutKeys.ROLLOUT, "deleted-long-ago"));
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.Progressing);
      assertThat(cluster.pod("p-a1").getMetadata().getAnnotations())
          .containsEntry(RolloutKeys.ROLLOUT, NAME);
    }

    @Test
    void afterTheLastStepBakesTheCandidateIsPromotedWithoutTouchingAPod() {
      for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
        onRevision(p, 5);
      }
      status.currentStep = 3;
      status.bakeStartedAt = T0.minusSeconds(61).toString();
      long writesBefore = cluster.podWrites();
      Step step = run(RolloutPhase.Progressing);
      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Succeeded, Requeue.NOW));
      assertThat(revisionIn(Track.STABLE)).isEqualTo(5);
      assertThat(cluster.maps.get("bot-features-stable").getData().get("features.json"))
          .isEqualTo(features(12));
      assertThat(cluster.podWrites()).isEqualTo(writesBefore);
      assertThat(status.stableRevision).isEqualTo(5);
      assertThat(status.candidateRevision).isNull();
      assertThat(cluster.eventReasons()).containsExactly("StepPassed", "Promoted");
    }

    @Test
    void aCandidateChangedBehindTheOperatorsBackIsNotPromoted() {
      for (String p : List.of("p-a1", "p-a2", "p-b1", "p-b2")) {
        onRevision(p, 5);
      }
      ConfigMap tampered = cluster.maps.get("bot-features-candidate");
      tampered.getData().put("features.json", features(500));
      status.currentStep = 3;
      status.bakeStartedAt = T0.minusSeconds(61).toString();
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.RolledBack);
      // Withdrawn, not failed: the content that was staged is not what went wrong.
      assertThat(status.failedRevisions).isNullOrEmpty();
      assertThat(status.history)
          .last()
          .satisfies(h -> assertThat(h.message).startsWith("withdrawn"));
      assertThat(status.message).contains("bot-features-candidate holds revision 5 with content");
      run(RolloutPhase.RolledBack);
      assertThat(revisionIn(Track.STABLE)).isEqualTo(4);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("4");
    }

    @Test
    void aTamperedCandidateMovesNoPodAndIsRestoredFromTheSourceThatStillHoldsIt() {
      cluster.put(source(NAME, features(12)));
      cluster.maps.get("bot-features-candidate").getData().put("features.json", features(500));

      Step step = run(RolloutPhase.Progressing);

      assertThat(step).isEqualTo(Step.rest(RolloutPhase.Progressing, Requeue.RETRY));
      assertThat(cluster.podWrites()).isZero();
      assertThat(status.failedRevisions).isNullOrEmpty();
      Tracks.verify(state());
      assertThat(cluster.maps.get("bot-features-candidate").getData())
          .containsEntry("features.json", features(12))
          .containsEntry(DerivedConfigMaps.REVISION_KEY, "5");
      assertThat(cluster.events)
          .singleElement()
          .asString()
          .startsWith("TrackRepaired: bot-features-candidate holds revision 5 with content ")
          .endsWith(
              "restored the staged revision 5 (" + status.candidateHash + ") from bot-features");
      run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
    }

    @Test
    void withARevisionHeaderTheBakeStartsOnlyOncePodsServeTheCandidate() {
      rollout.getSpec().healthCheck = new HealthCheck();
      rollout.getSpec().healthCheck.httpGet = new HttpGetCheck();
      rollout.getSpec().healthCheck.httpGet.port = 8080;
      rollout.getSpec().healthCheck.httpGet.revisionHeader = "X-Config-Revision";
      probes.put("p-a1", new ProbeResult.Ok("4"));
      Step step = run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(step.requeue()).isEqualTo(Requeue.LOAD_POLL);
      assertThat(status.bakeStartedAt).isNull();
      now = T0.plusSeconds(5);
      run(RolloutPhase.Progressing);
      assertThat(status.message).contains("waiting for 1 pods to report revision 5");
      probes.put("p-a1", new ProbeResult.Ok("5"));
      now = T0.plusSeconds(40);
      run(RolloutPhase.Progressing);
      assertThat(status.bakeStartedAt).isEqualTo(T0.plusSeconds(40).toString());
    }

    @Test
    void aPodThatNeverReportsTheCandidateCountsAsUnhealthy() {
      rollout.getSpec().healthCheck = new HealthCheck();
      rollout.getSpec().healthCheck.httpGet = new HttpGetCheck();
      rollout.getSpec().healthCheck.httpGet.port = 8080;
      rollout.getSpec().healthCheck.httpGet.revisionHeader = "X-Config-Revision";
      rollout.getSpec().healthCheck.httpGet.loadTimeoutSeconds = 120;
      probes.put("p-a1", new ProbeResult.Ok("4"));
      run(RolloutPhase.Progressing);
      now = T0.plusSeconds(121);
      assertThat(run(RolloutPhase.Progressing).phase()).isEqualTo(RolloutPhase.RolledBack);
      assertThat(status.failedRevisions.get(0).reason).contains("did not report revision 5");
    }

    @Test
    void aMoveRefusedBecauseThePodChangedUnderneathIsNotForced() {
      cluster.beforePatch =
          stored -> {
            if (stored.getMetadata().getName().equals("p-a1")) {
              stored.getMetadata().setAnnotations(Map.of(RolloutKeys.REVISION, "3"));
              stored.getMetadata().setResourceVersion("9999");
            }
          };
      Step step = run(RolloutPhase.Progressing);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("3");
      assertThat(step.requeue()).isEqualTo(Requeue.RETRY);
      assertThat(status.message).contains("p-a1 changed underneath");
      // The refused pod got exactly one patch attempt; the step was filled with the next pod.
      assertThat(cluster.writes.stream().filter(w -> w.equals("patch pod p-a1"))).hasSize(1);
      assertThat(cluster.revisionOf("p-b1")).isEqualTo("5");
    }
  }

  @Nested
  class Holds {
    @Test
    void pausedHoldsWithoutTouchingAnything() {
      stable(4, 10);
      candidate(5, 12, 2);
      status.updatedPods = 2;
      assertThat(run(RolloutPhase.Paused)).isEqualTo(Step.rest(RolloutPhase.Paused, null));
      assertThat(status.message).isEqualTo("paused at step 2/3 with 2 pods on revision 5");
      assertThat(cluster.writes).isEmpty();
      assertThat(cluster.eventReasons()).containsExactly("Paused");
    }

    @Test
    void frozenNamesTheFreezeAndItsReason() {
      ConfigFreeze freeze =
          Serialization.unmarshal(
              "{\"apiVersion\":\"configguard.io/v1alpha1\",\"kind\":\"ConfigFreeze\","
                  + "\"metadata\":{\"name\":\"incident-42\"},\"spec\":{\"reason\":\"INC-42\"}}",
              ConfigFreeze.class);
      cluster.freezes.add(freeze);
      assertThat(run(RolloutPhase.Frozen).phase()).isEqualTo(RolloutPhase.Frozen);
      assertThat(status.message)
          .isEqualTo("frozen by ConfigFreeze incident-42 (INC-42); no pod is touched");
      assertThat(cluster.writes).isEmpty();
    }

    @Test
    void abortRollsTheCandidateBackAndRecordsIt() {
      stable(4, 10);
      candidate(5, 12, 2);
      onRevision("p-a1", 5);
      rollout.getSpec().abort = true;
      Step step = run(RolloutPhase.Aborted);
      assertThat(step.phase()).isEqualTo(RolloutPhase.Aborted);
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("5");
      assertThat(run(RolloutPhase.Aborted)).isEqualTo(Step.rest(RolloutPhase.Aborted, null));
      assertThat(cluster.revisionOf("p-a1")).isEqualTo("4");
      assertThat(status.failedRevisions.get(0).reason).isEqualTo("aborted: spec.abort is true");
      // While abort stays set, new content is not taken.
      cluster.put(source(NAME, features(13)));
      assertThat(run(RolloutPhase.Aborted)).isEqualTo(Step.rest(RolloutPhase.Aborted, null));
      rollout.getSpec().abort = false;
      assertThat(run(RolloutPhase.Aborted)).isEqualTo(Step.go(RolloutPhase.Validating));
    }

    @Test
    void conflictResumesOnceTheClaimIsGone() {
      stable(4, 10);
      candidate(5, 12, 1);
      cluster.rollouts.add("other");
      cluster.put(annotated(cluster.pod("p-b2"), RolloutKeys.ROLLOUT, "other"));
      assertThat(run(RolloutPhase.Conflict).phase()).isEqualTo(RolloutPhase.Conflict);
      cluster.rollouts.remove("other");
      assertThat(run(RolloutPhase.Conflict)).isEqualTo(Step.go(RolloutPhase.Progressing));
      assertThat(status.conflictsWith).isNull();
    }
  }

  static io.configguard.policy.Policy maxFeatures(int max) throws Exception {
    ClusterConfigPolicy policy =
        Serialization.unmarshal(
            """
            apiVersion: configguard.io/v1alpha1
            kind: ClusterConfigPolicy
            metadata: {name: bot-features}
            spec:
              enforcement: Deny
              match: {names: ["bot-features*"]}
              rules:
                - name: size
                  key: features.json
                  format: json
                  maxItems: {path: "$.features", max: %d}
            """
                .formatted(max),
            ClusterConfigPolicy.class);
    return new PolicyCompiler(Limits.DEFAULT)
        .compile(PolicyRef.cluster("bot-features"), policy.getSpec());
  }
}
