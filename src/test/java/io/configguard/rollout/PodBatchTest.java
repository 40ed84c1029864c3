package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.source;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.policy.PolicySet;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Moving many pods at once on {@link FakeCluster}: at most the configured number of patches in
 * flight, a failed precondition re-reads that pod only, a lost lease stops the batch's remaining
 * writes, a step reaches every pod and the health gate sees them all, a rollback returns them all.
 */
class PodBatchTest {
  static final String NAME = "bot-features";
  static final int PODS = 200;
  static final int BOUND = 8;

  FakeCluster cluster = new FakeCluster();
  PodBatch moves = new PodBatch(BOUND);
  GuardedRollout rollout = RolloutFixtures.rollout(NAME, NAME, 0, "100%");
  GuardedRolloutStatus status = new GuardedRolloutStatus();

  @BeforeEach
  void setUp() {
    cluster.rollouts.add(NAME);
    IntStream.range(0, PODS).forEach(i -> cluster.put(pod("p-" + i, "node-" + (i % 10))));
    ConfigContent content = ConfigContent.of(source(NAME, features(10)));
    for (Track track : Track.values()) {
      cluster.put(DerivedConfigMaps.build(rollout, track, 4, content.hash(), content));
    }
    status.stableRevision = 4L;
    status.stableHash = content.hash();
    status.latestRevision = 4L;
  }

  @AfterEach
  void tearDown() {
    moves.close();
  }

  RolloutState state() {
    return new RolloutState(
        rollout,
        status,
        cluster,
        new RolloutServices(
            ns -> PolicySet.EMPTY,
            (pods, check) -> Map.of(),
            new RolloutMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC(),
            moves),
        Instant.now(),
        BatchPlanner.parse(rollout.getSpec().strategy.steps),
        Optional.empty(),
        List.of());
  }

  PodBatch.Outcome moveAllTo(long revision) {
    RolloutState state = state();
    return state.move(
        cluster.pods(NAME), PODS, true, p -> PodMover.pointAt(state, p, revision, true));
  }

  /**
   * Lets the first patch of a batch through alone (the batch sends it alone, to learn of a denial
   * for one patch), then holds each of the next {@code BOUND} patches until {@code BOUND} are in
   * flight at once (or one waited 10 s, which ends the holding): moved one after another, at most
   * one ever is.
   */
  void holdUntilTheBoundIsInFlight() {
    AtomicInteger started = new AtomicInteger();
    CountDownLatch full = new CountDownLatch(BOUND);
    AtomicBoolean gaveUp = new AtomicBoolean();
    cluster.whilePatching =
        p -> {
          if (started.incrementAndGet() == 1) {
            return;
          }
          full.countDown();
          try {
            if (!gaveUp.get() && !full.await(10, TimeUnit.SECONDS)) {
              gaveUp.set(true);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
  }

  @Test
  void neverMoreThanTheBoundInFlightAndEveryPodMovedWithOnePatch() {
    holdUntilTheBoundIsInFlight();

    PodBatch.Outcome outcome = moveAllTo(5);

    assertThat(outcome.moved()).hasSize(PODS);
    assertThat(cluster.maxInFlight.get()).isEqualTo(BOUND);
    assertThat(cluster.podWrites()).isEqualTo(PODS);
    assertThat(cluster.pods.keySet())
        .allSatisfy(p -> assertThat(cluster.revisionOf(p)).isEqualTo("5"));
    assertThat(cluster.reads).isEmpty();
  }

  @Test
  void aFailedPreconditionReReadsThatPodOnlyAndRetriesIt() {
    Set<String> churned = Set.of("p-3", "p-77", "p-150");
    Set<String> bumped = ConcurrentHashMap.newKeySet();
    // kubelet updates these pods' status between the operator's read and its patch
    cluster.beforePatch =
        stored -> {
          String name = stored.getMetadata().getName();
          if (churned.contains(name) && bumped.add(name)) {
            stored.getStatus().getConditions().get(0).setStatus("False");
            stored
                .getMetadata()
                .setResourceVersion(stored.getMetadata().getResourceVersion() + "9");
          }
        };

    PodBatch.Outcome outcome = moveAllTo(5);

    assertThat(outcome.moved()).hasSize(PODS);
    assertThat(outcome.refused()).isEmpty();
    assertThat(cluster.reads).containsExactlyInAnyOrderElementsOf(churned);
    assertThat(cluster.podWrites()).isEqualTo(PODS + churned.size());
    assertThat(cluster.pod("p-77").getMetadata().getAnnotations())
        .containsEntry(RolloutKeys.READY_AT_MOVE, "false");
  }

  @Test
  void aPodChangedUnderneathIsRefusedAloneAndItsPlaceGoesToTheNext() {
    AtomicBoolean changed = new AtomicBoolean();
    cluster.beforePatch =
        stored -> {
          if (stored.getMetadata().getName().equals("p-0") && changed.compareAndSet(false, true)) {
            stored.getMetadata().setAnnotations(Map.of(RolloutKeys.REVISION, "7"));
            stored
                .getMetadata()
                .setResourceVersion(stored.getMetadata().getResourceVersion() + "9");
          }
        };
    RolloutState state = state();
    List<Pod> order = cluster.pods(NAME);

    PodBatch.Outcome outcome =
        state.move(order, 50, true, p -> PodMover.pointAt(state, p, 5, true));

    assertThat(outcome.refused()).singleElement().asString().startsWith("p-0 changed underneath");
    assertThat(outcome.moved()).hasSize(50);
    assertThat(cluster.reads).containsExactly("p-0");
    assertThat(cluster.revisionOf("p-0")).isEqualTo("7");
    assertThat(cluster.podWrites()).isEqualTo(51);
  }

  @Test
  void aLostLeaseMidBatchStopsTheRemainingWrites() {
    AtomicInteger patches = new AtomicInteger();
    cluster.beforePatch =
        stored -> {
          if (patches.incrementAndGet() == 20) {
            cluster.current = false; // the lease went; later patches are fenced
          }
        };

    PodBatch.Outcome outcome = moveAllTo(5);

    assertThat(outcome.failure()).isInstanceOf(KubernetesClientException.class);
    // Moves already past the fence finish; none is sent after.
    assertThat(cluster.podWrites()).isBetween(20L, 20L + BOUND - 1);
    assertThat(outcome.moved()).hasSize((int) cluster.podWrites());
    assertThat(cluster.pods.keySet().stream().filter(p -> cluster.revisionOf(p) == null))
        .hasSizeGreaterThanOrEqualTo(PODS - 20 - BOUND + 1);
  }

  @Test
  void aStepMovesEveryPodInParallelAndTheGateSeesThemAllThenARollbackReturnsThemAll() {
    ConfigContent content = ConfigContent.of(source(NAME, features(12)));
    cluster.put(DerivedConfigMaps.build(rollout, Track.CANDIDATE, 5, content.hash(), content));
    status.candidateRevision = 5L;
    status.candidateHash = content.hash();
    status.latestRevision = 5L;
    status.currentStep = 1;
    status.phase = RolloutPhase.Progressing;
    holdUntilTheBoundIsInFlight();

    new ProgressingHandler().handle(state());

    assertThat(status.updatedPods).isEqualTo(PODS);
    assertThat(cluster.maxInFlight.get()).isEqualTo(BOUND);
    assertThat(cluster.podWrites()).isEqualTo(PODS);

    // One moved pod turns NotReady: the gate, over every moved pod, rolls the revision back.
    cluster.put(withReady(cluster.pod("p-123"), false));
    Step step = new ProgressingHandler().handle(state());
    assertThat(step.phase()).isEqualTo(RolloutPhase.RolledBack);
    assertThat(status.message).contains("returning " + PODS + " pods to stable revision 4");
    cluster.maxInFlight.set(0);
    holdUntilTheBoundIsInFlight();
    status.phase = RolloutPhase.RolledBack;

    PhaseHandlers.all().get(RolloutPhase.RolledBack).handle(state());

    assertThat(cluster.pods.keySet())
        .allSatisfy(p -> assertThat(cluster.revisionOf(p)).isEqualTo("4"));
    assertThat(cluster.podWrites()).isEqualTo(2L * PODS);
    assertThat(cluster.maxInFlight.get()).isEqualTo(BOUND);
    assertThat(cluster.eventReasons()).contains("PodsReturned");
  }

  @Test
  void theBoundIsValidated() {
    assertThatThrownBy(() -> new PodBatch(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PodBatch.PARALLELISM);
    assertThatThrownBy(() -> new PodBatch(PodBatch.MAX_PARALLELISM + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
