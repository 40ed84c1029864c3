package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutPhase;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Moves pods to the candidate step by step and bakes each step. Every pass:
 *
 * <ol>
 *   <li>a selected pod claimed by another rollout → Conflict, nothing touched;
 *   <li>claimed pods that left the selector are released, pods on unknown numbers go back to stable
 *       ({@link Converge});
 *   <li>the health gate ({@link HealthGate}) over the candidate pods; more than maxUnhealthyPods
 *       failing → rollback;
 *   <li>fewer candidate pods than the step's target → move the next ones (conditional patches); the
 *       step's bake clock starts once its batch is complete, and pods moved after that (pods came
 *       and went) are checked from their own move without restarting it. A denied move backs off
 *       ({@link Denials}) and, repeated, rolls back;
 *   <li>baking → look again when it ends (pod changes wake it up earlier);
 *   <li>baked → next step, or after the last one promotion: the stable ConfigMap gets the
 *       candidate's content and number, which every pod already points at.
 * </ol>
 */
final class ProgressingHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.candidateRevision == null) {
      return Step.go(Outcomes.idlePhase(s));
    }
    long revision = s.candidateRevision;
    if (!Tracks.holds(state, Track.CANDIDATE, revision, s.candidateHash)) {
      return candidateNotAsStaged(state);
    }
    Optional<Claims.Foreign> foreign = Claims.find(state, state.selectedPods());
    if (foreign.isPresent()) {
      return ConflictHandler.enter(state, foreign.get());
    }
    state.clearConflict();
    // Pods that left the selector are released, strays on unknown numbers go back to stable.
    Converge.converge(state, revision);
    List<Pod> pods = state.selectedPods();

    List<Pod> moved = pods.stream().filter(p -> state.isOn(p, revision)).toList();
    HealthGate gate = HealthGate.assess(state, pods, moved, revision);
    state.unhealthyPods(gate.listed());
    if (gate.fails()) {
      return Rollback.run(state, gate.summary(), RolloutPhase.RolledBack);
    }

    int total = state.steps().size();
    int step = Math.max(1, Math.min(s.currentStep == null ? 1 : s.currentStep, total));
    List<Integer> targets = BatchPlanner.targets(state.steps(), pods.size());
    state.observeStep(step, pods.size(), moved.size());
    if (pods.isEmpty()) {
      state.message("revision " + revision + ": no pod matches the selector; waiting for pods");
      return Step.rest(RolloutPhase.Progressing, Requeue.NO_PODS);
    }
    int target = targets.get(step - 1);
    if (moved.size() < target) {
      return moveMore(state, pods, moved.size(), target, revision);
    }

    HttpGetCheck http = state.httpCheck();
    int bake = state.bakeSeconds();
    if (s.bakeStartedAt == null) {
      // The step's bake starts once its whole batch is on the candidate (and, with
      // revisionHeader, reports it). Pods moved after that do not restart it.
      if (!gate.loading().isEmpty()) {
        state.message(
            progress(s)
                + ": waiting for "
                + gate.loading().size()
                + " pods to report revision "
                + revision
                + " in "
                + http.revisionHeader);
        return Step.rest(RolloutPhase.Progressing, Requeue.LOAD_POLL);
      }
      state.startBake();
    }
    Instant bakeEnd = Instant.parse(s.bakeStartedAt).plusSeconds(bake);
    if (state.now().isBefore(bakeEnd)) {
      state.message(progress(s) + ": baking until " + bakeEnd);
      Duration left = Duration.between(state.now(), bakeEnd);
      return Step.rest(RolloutPhase.Progressing, Requeue.whileBaking(left, http != null));
    }

    state.normal(
        "StepPassed",
        progress(s) + ": " + gate.passed(moved, Instant.parse(s.bakeStartedAt), state.now(), bake));
    int next = step + 1;
    while (next <= total && targets.get(next - 1) <= targets.get(step - 1)) {
      next++; // more steps than pods: this step cannot add a pod
    }
    if (next > total) {
      return promote(state, moved.size(), gate);
    }
    state.enterStep(next);
    state.message(progress(s) + ": moving pods");
    return Step.rest(RolloutPhase.Progressing, Requeue.NOW);
  }

  private Step moveMore(RolloutState state, List<Pod> pods, int onCandidate, int target, long rev) {
    GuardedRolloutStatus s = state.status();
    Optional<Duration> backOff = Denials.holding(state);
    if (backOff.isPresent()) {
      state.message(progress(s) + ": " + Denials.describe(s));
      return Step.rest(RolloutPhase.Progressing, backOff.get());
    }
    // Ordering all pods and skipping the moved ones keeps each batch on the least-used nodes.
    List<Pod> order = PodOrder.order(pods).stream().filter(p -> !state.isOn(p, rev)).toList();
    // A denial stops the batch: the next pods would meet the same denial.
    PodBatch.Outcome batch =
        state.move(order, target - onCandidate, true, p -> PodMover.pointAt(state, p, rev, true));
    List<String> refused = batch.refused();
    PodMover.Result.Denied denied = batch.denied();
    int movedNow = batch.moved().size();
    if (batch.failure() != null) {
      // The pass ends as the error ends it; the pods moved meanwhile are counted and carry it.
      state.services().metrics().podsMoved(movedNow);
      batch.rethrowFailure();
    }
    state.updatedPods(onCandidate + movedNow);
    HttpGetCheck http = state.httpCheck();
    boolean waitForLoad = http != null && http.revisionHeader != null;
    boolean baking = s.bakeStartedAt != null;
    if (movedNow > 0) {
      state.services().metrics().podsMoved(movedNow);
      if (baking) {
        // Pods that joined during the bake (or a grown share): each is checked from its own move
        // (configguard.io/moved-at); the others' bake goes on.
        state.normal(
            "PodsMoved",
            progress(s) + ": moved " + movedNow + " more pods; the step's bake is not restarted");
      } else {
        state.stepMoved(!waitForLoad && onCandidate + movedNow >= target);
        state.normal("StepStarted", progress(s) + ": moved " + movedNow + " pods");
      }
    }
    if (denied != null) {
      int n = Denials.record(state, denied, "revision " + rev);
      if (n >= Denials.MAX) {
        return Rollback.run(
            state,
            "moving pods to revision " + rev + " was denied " + n + " times: " + s.lastDenial,
            RolloutPhase.RolledBack);
      }
      state.message(progress(s) + ": " + Denials.describe(s));
      return Step.rest(RolloutPhase.Progressing, Requeue.afterDenials(n));
    }
    if (movedNow > 0) {
      state.clearDenials();
    }
    if (!refused.isEmpty()) {
      state.message(progress(s) + ": " + refused.size() + " moves refused: " + refused.get(0));
      state.warning("MoveRefused", s.message);
      return Step.rest(RolloutPhase.Progressing, Requeue.RETRY);
    }
    int bake = state.bakeSeconds();
    if (baking) {
      state.message(
          progress(s) + ": baking until " + Instant.parse(s.bakeStartedAt).plusSeconds(bake));
      return Step.go(RolloutPhase.Progressing);
    }
    state.message(progress(s) + ": baking " + bake + "s");
    return bake == 0 && !waitForLoad
        ? Step.go(RolloutPhase.Progressing)
        : Step.rest(
            RolloutPhase.Progressing,
            waitForLoad
                ? Requeue.LOAD_POLL
                : Requeue.whileBaking(Duration.ofSeconds(bake), http != null));
  }

  private Step promote(RolloutState state, int pods, HealthGate gate) {
    GuardedRolloutStatus s = state.status();
    long revision = s.candidateRevision;
    Optional<ConfigMap> candidate = state.track(Track.CANDIDATE);
    if (!DerivedConfigMaps.holds(candidate, revision, s.candidateHash)) {
      return candidateNotAsStaged(state);
    }
    try {
      Tracks.write(
          state, Track.STABLE, revision, s.candidateHash, ConfigContent.ofDerived(candidate.get()));
    } catch (Cluster.Refused refused) {
      if (refused.why() == Cluster.Refused.Why.DENIED) {
        return Rollback.run(
            state, "promotion was denied: " + refused.getMessage(), RolloutPhase.RolledBack);
      }
      state.message(progress(s) + ": promotion: " + refused.getMessage());
      return Step.rest(RolloutPhase.Progressing, Requeue.RETRY);
    }
    return Outcomes.succeeded(
        state,
        "revision "
            + revision
            + " is stable: "
            + pods
            + " pods passed "
            + s.totalSteps
            + " steps"
            + gate.tolerance());
  }

  /**
   * The candidate track does not hold what was staged and {@link Tracks#verify} could not restore
   * it. No pod is moved to a number no track holds. While a copy of the staged content exists the
   * repair is retried; without one the revision is withdrawn: its pods go back to stable, and its
   * content, which is not what failed, is not quarantined.
   */
  private static Step candidateNotAsStaged(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    String finding = Tracks.finding(state, Track.CANDIDATE);
    if (Tracks.record(state, s.candidateHash).isPresent()) {
      state.message(
          "revision "
              + s.candidateRevision
              + ": no pod is moved while "
              + finding
              + "; restoring it");
      return Step.rest(RolloutPhase.Progressing, Requeue.RETRY);
    }
    return Outcomes.withdrawn(
        state,
        finding
            + ", and no copy of the staged content "
            + s.candidateHash
            + " is left to restore it from");
  }

  private static String progress(GuardedRolloutStatus s) {
    return "revision "
        + s.candidateRevision
        + " step "
        + s.currentStep
        + "/"
        + s.totalSteps
        + ", "
        + s.updatedPods
        + "/"
        + s.selectedPods
        + " pods";
  }
}
