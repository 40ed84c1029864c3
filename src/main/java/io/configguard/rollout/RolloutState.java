package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import io.configguard.api.RolloutStrategy;
import io.configguard.policy.LabelSelector;
import io.configguard.rollout.BatchPlanner.StepSize;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reconcile's view of a GuardedRollout: its spec (with its defaults applied here, once), a
 * draft of its status, the cluster, and the time. Handlers read the world only through here, and
 * change the status only through its named transitions (startRevision, stageCandidate, stepMoved,
 * startBake, enterStep, failCandidate, promoteCandidate, clearCandidate, ...), so that each way a
 * rollout moves on is written once.
 */
final class RolloutState {
  private final GuardedRollout rollout;
  private final GuardedRolloutStatus status;
  private final RolloutPhase enteredAs;
  private final Cluster cluster;
  private final RolloutServices services;
  private final Instant now;
  private final List<StepSize> steps;
  private final Optional<ConfigFreeze> freeze;
  private final List<String> specErrors;

  RolloutState(
      GuardedRollout rollout,
      GuardedRolloutStatus draft,
      Cluster cluster,
      RolloutServices services,
      Instant now,
      List<StepSize> steps,
      Optional<ConfigFreeze> freeze,
      List<String> specErrors) {
    this.rollout = rollout;
    this.status = draft;
    this.enteredAs = draft.phase == null ? RolloutPhase.Pending : draft.phase;
    this.cluster = cluster;
    this.services = services;
    this.now = now;
    this.steps = steps;
    this.freeze = freeze;
    this.specErrors = specErrors;
  }

  /** The ConfigFreeze that matches this rollout's namespace, if any. */
  Optional<ConfigFreeze> freeze() {
    return freeze;
  }

  /** Why the spec cannot be acted on; empty when it can. */
  List<String> specErrors() {
    return specErrors;
  }

  GuardedRollout rollout() {
    return rollout;
  }

  GuardedRolloutSpec spec() {
    return rollout.getSpec();
  }

  RolloutStrategy strategy() {
    return spec().strategy == null ? new RolloutStrategy() : spec().strategy;
  }

  // The spec's settings with their defaults, applied here only. The CRD's defaults fill in absent
  // fields on the API server; these cover an explicit null and objects built in code.

  /** strategy.bakeSeconds (default 60). */
  int bakeSeconds() {
    Integer v = strategy().bakeSeconds;
    return v == null ? 60 : v;
  }

  /** strategy.maxUnhealthyPods (default 0). */
  int maxUnhealthyPods() {
    Integer v = strategy().maxUnhealthyPods;
    return v == null ? 0 : v;
  }

  /** strategy.maxFailedRevisions (default 3). */
  int maxFailedRevisions() {
    Integer v = strategy().maxFailedRevisions;
    return v == null ? 3 : v;
  }

  /** healthCheck.httpGet, or null when the spec has no HTTP check. */
  HttpGetCheck httpCheck() {
    return spec().healthCheck == null ? null : spec().healthCheck.httpGet;
  }

  /** healthCheck.httpGet.loadTimeoutSeconds (default 300). */
  int loadTimeoutSeconds() {
    HttpGetCheck http = httpCheck();
    return http == null || http.loadTimeoutSeconds == null ? 300 : http.loadTimeoutSeconds;
  }

  /**
   * The draft status, to read; the reconciler patches it when the handlers are done, if it changed.
   * Handlers change it only through the transitions below.
   */
  GuardedRolloutStatus status() {
    return status;
  }

  /** When the current step's last pod was moved, if it was. */
  Optional<Instant> stepStartedAt() {
    return Optional.ofNullable(status.stepStartedAt).map(Instant::parse);
  }

  /** Candidate pods seen unhealthy in this revision so far. */
  List<String> seenUnhealthy() {
    return status.unhealthyPods == null ? List.of() : status.unhealthyPods;
  }

  /** The phase the status had when this reconcile started. */
  RolloutPhase enteredAs() {
    return enteredAs;
  }

  String name() {
    return rollout.getMetadata().getName();
  }

  String namespace() {
    return rollout.getMetadata().getNamespace();
  }

  long generation() {
    Long g = rollout.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  Instant now() {
    return now;
  }

  Cluster cluster() {
    return cluster;
  }

  RolloutServices services() {
    return services;
  }

  /** The parsed steps, ending in 100%. */
  List<StepSize> steps() {
    return steps;
  }

  /** Pods the selector matches that are not terminating. */
  List<Pod> selectedPods() {
    LabelSelector selector = LabelSelector.of(spec().selector);
    return cluster.pods(namespace()).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> selector.matches(p.getMetadata().getLabels()))
        .toList();
  }

  /**
   * Pods this rollout claims that are not terminating, selected or not: a pod that left the
   * selector still points where this rollout put it until it is released.
   */
  List<Pod> claimedPods() {
    return cluster.claimedPods(namespace(), name()).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** Whether the selector matches the pod now. */
  boolean selects(Pod pod) {
    return LabelSelector.of(spec().selector).matches(pod.getMetadata().getLabels());
  }

  Optional<ConfigMap> source() {
    return cluster.configMap(namespace(), spec().sourceRef.name);
  }

  Optional<ConfigMap> track(DerivedConfigMaps.Track track) {
    return cluster.configMap(namespace(), track.nameFor(name()));
  }

  Map<String, String> namespaceLabels() {
    return cluster.namespaceLabels(namespace());
  }

  private Map<String, String> labelsOnce;

  /**
   * Whether a ConfigFreeze matches the namespace now (from the cache; the namespace's labels are
   * read once per pass): a batch of moves asks before each pod, so a freeze stops it promptly.
   */
  boolean halted() {
    return Freezes.matching(
            cluster.freezes(),
            () -> labelsOnce == null ? labelsOnce = namespaceLabels() : labelsOnce)
        .isPresent();
  }

  /** Moves {@code pods} in order until {@code wanted} are moved; see {@link PodBatch}. */
  PodBatch.Outcome move(
      List<Pod> pods,
      int wanted,
      boolean stopAtDenial,
      java.util.function.Function<Pod, PodMover.Result> move) {
    return services.moves().move(pods, wanted, stopAtDenial, this::halted, move);
  }

  void event(String type, String reason, String message) {
    cluster.event(rollout, type, reason, message);
  }

  void normal(String reason, String message) {
    event("Normal", reason, message);
  }

  void warning(String reason, String message) {
    event("Warning", reason, message);
  }

  /** Whether the pod's annotations say it serves {@code revision} for this rollout. */
  boolean isOn(Pod pod, long revision) {
    Map<String, String> a = PodHealth.annotations(pod);
    return name().equals(a.get(RolloutKeys.ROLLOUT))
        && Long.toString(revision).equals(a.get(RolloutKeys.REVISION));
  }

  boolean isClaimedByMe(Pod pod) {
    return name().equals(PodHealth.annotations(pod).get(RolloutKeys.ROLLOUT));
  }

  // Transitions: every change a handler makes to the status, each named for what happened.

  /** Sets the phase to run (or end in); the reconciler's loop. */
  void enterPhase(RolloutPhase phase) {
    status.phase = phase;
  }

  /**
   * Which phase's handler runs first: the holds (freeze, invalid spec, pause) and abort, see {@link
   * Holds}; records the phase a hold resumes ({@code heldFrom}) and the freeze ({@code frozenBy}).
   */
  RolloutPhase resolveHolds() {
    Holds.Resolution r = Holds.resolve(status.phase, status.heldFrom, spec(), freeze, specErrors);
    status.heldFrom = r.heldFrom();
    status.frozenBy = r.frozenBy();
    return r.run();
  }

  /** What is happening or why it stopped, in one line. */
  void message(String message) {
    status.message = message;
  }

  /** The source's content hash as last seen; true if it differs from the one seen before. */
  boolean sawSource(String hash) {
    boolean changed = !hash.equals(status.sourceHash);
    status.sourceHash = hash;
    return changed;
  }

  /** The spec changed since the circuit opened: new revisions are taken again. */
  void closeCircuit() {
    status.circuitOpenGeneration = null;
    status.consecutiveFailures = null;
  }

  /** New content becomes candidate {@code revision}, to be validated; no step has started. */
  void startRevision(long revision, String hash) {
    status.candidateRevision = revision;
    status.candidateHash = hash;
    status.latestRevision =
        Math.max(revision, status.latestRevision == null ? 0 : status.latestRevision);
    resetStep();
    status.conflictsWith = null;
  }

  /** The candidate passed pre-flight and is written to its track: pods may point at it. */
  void stageCandidate() {
    status.currentStep = 1;
    status.totalSteps = steps.size();
    status.updatedPods = 0;
  }

  /** What this pass saw of the current step: its number, and the pods selected and moved. */
  void observeStep(int step, int selected, int moved) {
    status.currentStep = step;
    status.totalSteps = steps.size();
    status.selectedPods = selected;
    status.updatedPods = moved;
  }

  /** How many selected pods point at the candidate now. */
  void updatedPods(int pods) {
    status.updatedPods = pods;
  }

  /** The unhealthy candidate pods to list (none: cleared). */
  void unhealthyPods(List<String> names) {
    status.unhealthyPods = names.isEmpty() ? null : names;
  }

  /**
   * This pass moved the step's pods: its clock starts now, and its bake clock too when {@code
   * bakeNow} (the batch is complete and nothing must report the revision first).
   */
  void stepMoved(boolean bakeNow) {
    status.stepStartedAt = now.toString();
    status.bakeStartedAt = bakeNow ? status.stepStartedAt : null;
  }

  /** The step's batch is complete (and serves the candidate): its bake clock starts now. */
  void startBake() {
    status.bakeStartedAt = now.toString();
    if (status.stepStartedAt == null) {
      status.stepStartedAt = status.bakeStartedAt;
    }
  }

  /** The previous step baked: {@code step} starts moving pods. */
  void enterStep(int step) {
    status.currentStep = step;
    status.stepStartedAt = null;
    status.bakeStartedAt = null;
  }

  /** Another rollout claims a selected pod. */
  void enterConflict(String rollout) {
    status.conflictsWith = rollout;
  }

  /** No selected pod is claimed by another rollout. */
  void clearConflict() {
    status.conflictsWith = null;
  }

  /** Selected pods on a revision no track of this rollout holds (0: none). */
  void podsOnUnknownRevision(int pods) {
    status.podsOnUnknownRevision = pods == 0 ? null : pods;
  }

  /**
   * One more denied pod move: the count, the time and the denial.
   *
   * @return the number of consecutive denials
   */
  int recordDenial(String denial) {
    int n = (status.deniedMoves == null ? 0 : status.deniedMoves) + 1;
    status.deniedMoves = n;
    status.lastDeniedAt = now.toString();
    status.lastDenial = StatusWriter.cap(denial);
    return n;
  }

  /** Pod moves go through again: the denial back-off ends. */
  void clearDenials() {
    status.deniedMoves = null;
    status.lastDeniedAt = null;
    status.lastDenial = null;
  }

  /**
   * The candidate failed: its hash is quarantined, the outcome is history, and it counts towards
   * the circuit; then it is cleared.
   *
   * @return whether this failure opened the circuit (maxFailedRevisions consecutive failures)
   */
  boolean failCandidate(String reason, RolloutPhase outcome) {
    String time = now.toString();
    StatusWriter.addFailed(
        status, new FailedRevision(status.candidateRevision, status.candidateHash, reason, time));
    StatusWriter.addHistory(
        status,
        new RolloutHistoryEntry(
            status.candidateRevision, status.candidateHash, outcome, reason, time));
    status.consecutiveFailures =
        (status.consecutiveFailures == null ? 0 : status.consecutiveFailures) + 1;
    boolean opens =
        status.consecutiveFailures >= maxFailedRevisions() && status.circuitOpenGeneration == null;
    if (opens) {
      status.circuitOpenGeneration = generation();
    }
    clearCandidate();
    return opens;
  }

  /**
   * The candidate ends without blame (its track was lost with no copy left): history, no
   * quarantine, no count towards the circuit; then it is cleared.
   */
  void withdrawCandidate(String reason) {
    StatusWriter.addHistory(
        status,
        new RolloutHistoryEntry(
            status.candidateRevision,
            status.candidateHash,
            RolloutPhase.RolledBack,
            "withdrawn: " + reason,
            now.toString()));
    clearCandidate();
    status.updatedPods = 0;
  }

  /** The candidate becomes stable: history, the circuit closed; then it is cleared. */
  void promoteCandidate(String message) {
    status.stableRevision = status.candidateRevision;
    status.stableHash = status.candidateHash;
    StatusWriter.addHistory(
        status,
        new RolloutHistoryEntry(
            status.candidateRevision,
            status.candidateHash,
            RolloutPhase.Succeeded,
            message,
            now.toString()));
    status.consecutiveFailures = null;
    status.circuitOpenGeneration = null;
    clearCandidate();
    status.message = message;
  }

  /**
   * Nothing is in flight any more: the one place the candidate and its step's progress are cleared
   * (after an outcome, or when the source moved on before pre-flight).
   */
  void clearCandidate() {
    status.candidateRevision = null;
    status.candidateHash = null;
    resetStep();
    clearDenials();
  }

  /**
   * A released {@code -stable} is taken back: its revision is stable, numbering goes on above
   * {@code latest}, the failures it recorded stay quarantined, and the adoption is history.
   */
  void adoptStable(long revision, String hash, long latest, List<FailedRevision> failed) {
    status.stableRevision = revision;
    status.stableHash = hash;
    status.latestRevision = latest;
    for (FailedRevision f : failed) {
      if (f.hash != null
          && (status.failedRevisions == null
              || status.failedRevisions.stream().noneMatch(x -> f.hash.equals(x.hash)))) {
        StatusWriter.addFailed(status, f);
      }
    }
  }

  /** An entry in the history (newest last, bounded). */
  void addHistory(RolloutHistoryEntry entry) {
    StatusWriter.addHistory(status, entry);
  }

  private void resetStep() {
    status.currentStep = null;
    status.stepStartedAt = null;
    status.bakeStartedAt = null;
    status.unhealthyPods = null;
  }
}
