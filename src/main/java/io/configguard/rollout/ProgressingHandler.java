package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutPhase;
import io.configguard.api.RolloutStrategy;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.configguard.rollout.PodHealth.Readiness;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Moves pods to the candidate step by step and bakes each step. Every pass:
 *
 * <ol>
 *   <li>a selected pod claimed by another rollout → Conflict, nothing touched;
 *   <li>claimed pods that left the selector are released, pods on unknown numbers go back to stable
 *       ({@link Converge});
 *   <li>the health gate over the candidate pods; more than maxUnhealthyPods failing → rollback;
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
    RolloutStrategy strategy = state.strategy();
    Optional<Claims.Foreign> foreign = Claims.find(state, state.selectedPods());
    if (foreign.isPresent()) {
      return ConflictHandler.enter(state, foreign.get());
    }
    s.conflictsWith = null;
    // Pods that left the selector are released, strays on unknown numbers go back to stable.
    Converge.converge(state, revision);
    List<Pod> pods = state.selectedPods();

    List<Pod> moved = pods.stream().filter(p -> state.isOn(p, revision)).toList();
    Gate gate = Gate.assess(state, pods, moved, revision);
    s.unhealthyPods =
        gate.unhealthy.isEmpty()
            ? null
            : gate.unhealthy.keySet().stream().limit(StatusWriter.MAX_UNHEALTHY_LISTED).toList();
    int tolerated = strategy.maxUnhealthyPods == null ? 0 : strategy.maxUnhealthyPods;
    if (gate.unhealthy.size() > tolerated) {
      return Rollback.run(state, gate.summary(tolerated), RolloutPhase.RolledBack);
    }

    int total = state.steps().size();
    int step = Math.max(1, Math.min(s.currentStep == null ? 1 : s.currentStep, total));
    List<Integer> targets = BatchPlanner.targets(state.steps(), pods.size());
    s.currentStep = step;
    s.totalSteps = total;
    s.selectedPods = pods.size();
    s.updatedPods = moved.size();
    if (pods.isEmpty()) {
      s.message = "revision " + revision + ": no pod matches the selector; waiting for pods";
      return Step.rest(RolloutPhase.Progressing, Requeue.NO_PODS);
    }
    int target = targets.get(step - 1);
    if (moved.size() < target) {
      return moveMore(state, pods, moved.size(), target, revision);
    }

    HttpGetCheck http = state.spec().healthCheck == null ? null : state.spec().healthCheck.httpGet;
    int bake = strategy.bakeSeconds == null ? 60 : strategy.bakeSeconds;
    if (s.bakeStartedAt == null) {
      // The step's bake starts once its whole batch is on the candidate (and, with
      // revisionHeader, reports it). Pods moved after that do not restart it.
      if (!gate.loading.isEmpty()) {
        s.message =
            progress(s)
                + ": waiting for "
                + gate.loading.size()
                + " pods to report revision "
                + revision
                + " in "
                + http.revisionHeader;
        return Step.rest(RolloutPhase.Progressing, Requeue.LOAD_POLL);
      }
      s.bakeStartedAt = state.now().toString();
      if (s.stepStartedAt == null) {
        s.stepStartedAt = s.bakeStartedAt;
      }
    }
    Instant bakeEnd = Instant.parse(s.bakeStartedAt).plusSeconds(bake);
    if (state.now().isBefore(bakeEnd)) {
      s.message = progress(s) + ": baking until " + bakeEnd;
      Duration left = Duration.between(state.now(), bakeEnd);
      return Step.rest(RolloutPhase.Progressing, Requeue.whileBaking(left, http != null));
    }

    state.normal("StepPassed", progress(s) + ": " + verdict(state, gate, moved, bake, tolerated));
    int next = step + 1;
    while (next <= total && targets.get(next - 1) <= targets.get(step - 1)) {
      next++; // more steps than pods: this step cannot add a pod
    }
    if (next > total) {
      return promote(state, moved.size(), gate, tolerated);
    }
    s.currentStep = next;
    s.stepStartedAt = null;
    s.bakeStartedAt = null;
    s.message = progress(s) + ": moving pods";
    return Step.rest(RolloutPhase.Progressing, Requeue.NOW);
  }

  /**
   * What a passed step says about its pods: how many were unhealthy (within maxUnhealthyPods), and
   * how many joined during the bake and were checked for less than the full time.
   */
  private static String verdict(
      RolloutState state, Gate gate, List<Pod> moved, int bake, int tolerated) {
    Instant bakeStart = Instant.parse(state.status().bakeStartedAt);
    List<Long> joined =
        moved.stream()
            .map(PodHealth::movedAt)
            .flatMap(Optional::stream)
            .filter(at -> at.isAfter(bakeStart))
            .map(at -> Duration.between(at, state.now()).toSeconds())
            .toList();
    String health =
        gate.unhealthy.isEmpty()
            ? "every candidate pod stayed healthy"
            : gate.unhealthy.size()
                + " of "
                + moved.size()
                + " candidate pods unhealthy (tolerated "
                + tolerated
                + "): "
                + gate.names(5)
                + "; the others stayed healthy";
    if (joined.isEmpty()) {
      return health + " for " + bake + "s";
    }
    return health
        + ": "
        + (moved.size() - joined.size())
        + " for "
        + bake
        + "s, "
        + joined.size()
        + " moved during the bake (pods came and went) for "
        + joined.stream().mapToLong(Long::longValue).min().orElse(0)
        + "s at least";
  }

  private Step moveMore(RolloutState state, List<Pod> pods, int onCandidate, int target, long rev) {
    GuardedRolloutStatus s = state.status();
    Optional<Duration> backOff = Denials.holding(state);
    if (backOff.isPresent()) {
      s.message = progress(s) + ": " + Denials.describe(s);
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
    s.updatedPods = onCandidate + movedNow;
    HttpGetCheck http = state.spec().healthCheck == null ? null : state.spec().healthCheck.httpGet;
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
        s.stepStartedAt = state.now().toString();
        s.bakeStartedAt = waitForLoad || onCandidate + movedNow < target ? null : s.stepStartedAt;
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
      s.message = progress(s) + ": " + Denials.describe(s);
      return Step.rest(RolloutPhase.Progressing, Requeue.afterDenials(n));
    }
    if (movedNow > 0) {
      Denials.clear(s);
    }
    if (!refused.isEmpty()) {
      s.message = progress(s) + ": " + refused.size() + " moves refused: " + refused.get(0);
      state.warning("MoveRefused", s.message);
      return Step.rest(RolloutPhase.Progressing, Requeue.RETRY);
    }
    int bake = state.strategy().bakeSeconds == null ? 60 : state.strategy().bakeSeconds;
    if (baking) {
      s.message =
          progress(s) + ": baking until " + Instant.parse(s.bakeStartedAt).plusSeconds(bake);
      return Step.go(RolloutPhase.Progressing);
    }
    s.message = progress(s) + ": baking " + bake + "s";
    return bake == 0 && !waitForLoad
        ? Step.go(RolloutPhase.Progressing)
        : Step.rest(
            RolloutPhase.Progressing,
            waitForLoad
                ? Requeue.LOAD_POLL
                : Requeue.whileBaking(Duration.ofSeconds(bake), http != null));
  }

  private Step promote(RolloutState state, int pods, Gate gate, int tolerated) {
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
      s.message = progress(s) + ": promotion: " + refused.getMessage();
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
            + (gate.unhealthy.isEmpty()
                ? ""
                : ", "
                    + gate.unhealthy.size()
                    + " of them unhealthy (tolerated "
                    + tolerated
                    + "): "
                    + gate.names(5)));
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
      s.message =
          "revision "
              + s.candidateRevision
              + ": no pod is moved while "
              + finding
              + "; restoring it";
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

  /**
   * The health gate over the candidate pods: unhealthy ones (with their reason, including pods seen
   * unhealthy before that have since disappeared) and ones still loading the revision.
   */
  record Gate(Map<String, String> unhealthy, List<String> loading) {
    static Gate assess(RolloutState state, List<Pod> selected, List<Pod> moved, long revision) {
      GuardedRolloutStatus s = state.status();
      HttpGetCheck http =
          state.spec().healthCheck == null ? null : state.spec().healthCheck.httpGet;
      Map<String, ProbeResult> probes =
          http == null || moved.isEmpty() ? Map.of() : state.services().probe().probe(moved, http);
      Map<String, String> unhealthy = new TreeMap<>();
      List<String> loading = new ArrayList<>();
      int loadTimeout =
          http == null || http.loadTimeoutSeconds == null ? 300 : http.loadTimeoutSeconds;
      for (Pod pod : moved) {
        String name = pod.getMetadata().getName();
        // Each pod gets the load timeout from its own move (a pod moved late in the step too).
        Instant since =
            PodHealth.movedAt(pod)
                .filter(at -> s.stepStartedAt == null || at.isAfter(Instant.parse(s.stepStartedAt)))
                .orElse(s.stepStartedAt == null ? null : Instant.parse(s.stepStartedAt));
        Instant loadDeadline =
            since == null || http == null ? null : since.plusSeconds(loadTimeout);
        Readiness readiness =
            PodHealth.check(
                pod, revision, probes.get(name), http == null ? null : http.revisionHeader);
        if (readiness instanceof Readiness.Unhealthy u) {
          unhealthy.put(name, u.reason());
        } else if (readiness instanceof Readiness.Loading l) {
          if (loadDeadline != null && state.now().isAfter(loadDeadline)) {
            unhealthy.put(
                name, "did not report revision " + revision + " in time (" + l.detail() + ")");
          } else {
            loading.add(name);
          }
        }
      }
      Set<String> present =
          selected.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
      if (s.unhealthyPods != null) {
        for (String name : s.unhealthyPods) {
          if (!present.contains(name)) {
            unhealthy.putIfAbsent(name, "was unhealthy, then disappeared");
          }
        }
      }
      return new Gate(unhealthy, loading);
    }

    /** The first {@code limit} unhealthy pods' names, and how many more. */
    String names(int limit) {
      return unhealthy.keySet().stream().limit(limit).collect(Collectors.joining(", "))
          + (unhealthy.size() > limit ? " and " + (unhealthy.size() - limit) + " more" : "");
    }

    String summary(int tolerated) {
      return unhealthy.size()
          + " unhealthy pods (tolerated "
          + tolerated
          + "): "
          + unhealthy.entrySet().stream()
              .limit(5)
              .map(e -> e.getKey() + " " + e.getValue())
              .collect(Collectors.joining(", "));
    }
  }
}
