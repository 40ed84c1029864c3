package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HttpGetCheck;
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
 * One reconcile's view of a GuardedRollout: its spec, a draft of its status the handlers edit, the
 * cluster, and the time. Handlers read the world only through here.
 */
public final class RolloutState {
  private final GuardedRollout rollout;
  private final GuardedRolloutStatus status;
  private final RolloutPhase enteredAs;
  private final Cluster cluster;
  private final RolloutServices services;
  private final Instant now;
  private final List<StepSize> steps;
  private final Optional<ConfigFreeze> freeze;
  private final List<String> specErrors;

  public RolloutState(
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
  public Optional<ConfigFreeze> freeze() {
    return freeze;
  }

  /** Why the spec cannot be acted on; empty when it can. */
  public List<String> specErrors() {
    return specErrors;
  }

  public GuardedRollout rollout() {
    return rollout;
  }

  public GuardedRolloutSpec spec() {
    return rollout.getSpec();
  }

  public RolloutStrategy strategy() {
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

  /** The draft status; the reconciler patches it when the handlers are done, if it changed. */
  public GuardedRolloutStatus status() {
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
  public RolloutPhase enteredAs() {
    return enteredAs;
  }

  public String name() {
    return rollout.getMetadata().getName();
  }

  public String namespace() {
    return rollout.getMetadata().getNamespace();
  }

  public long generation() {
    Long g = rollout.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  public Instant now() {
    return now;
  }

  public Cluster cluster() {
    return cluster;
  }

  public RolloutServices services() {
    return services;
  }

  /** The parsed steps, ending in 100%. */
  public List<StepSize> steps() {
    return steps;
  }

  /** Pods the selector matches that are not terminating. */
  public List<Pod> selectedPods() {
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
  public List<Pod> claimedPods() {
    return cluster.claimedPods(namespace(), name()).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** Whether the selector matches the pod now. */
  public boolean selects(Pod pod) {
    return LabelSelector.of(spec().selector).matches(pod.getMetadata().getLabels());
  }

  public Optional<ConfigMap> source() {
    return cluster.configMap(namespace(), spec().sourceRef.name);
  }

  public Optional<ConfigMap> track(DerivedConfigMaps.Track track) {
    return cluster.configMap(namespace(), track.nameFor(name()));
  }

  public Map<String, String> namespaceLabels() {
    return cluster.namespaceLabels(namespace());
  }

  private Map<String, String> labelsOnce;

  /**
   * Whether a ConfigFreeze matches the namespace now (from the cache; the namespace's labels are
   * read once per pass): a batch of moves asks before each pod, so a freeze stops it promptly.
   */
  public boolean halted() {
    return Freezes.matching(
            cluster.freezes(),
            () -> labelsOnce == null ? labelsOnce = namespaceLabels() : labelsOnce)
        .isPresent();
  }

  /** Moves {@code pods} in order until {@code wanted} are moved; see {@link PodBatch}. */
  public PodBatch.Outcome move(
      List<Pod> pods,
      int wanted,
      boolean stopAtDenial,
      java.util.function.Function<Pod, PodMover.Result> move) {
    return services.moves().move(pods, wanted, stopAtDenial, this::halted, move);
  }

  public void event(String type, String reason, String message) {
    cluster.event(rollout, type, reason, message);
  }

  public void normal(String reason, String message) {
    event("Normal", reason, message);
  }

  public void warning(String reason, String message) {
    event("Warning", reason, message);
  }

  /** Whether the pod's annotations say it serves {@code revision} for this rollout. */
  public boolean isOn(Pod pod, long revision) {
    Map<String, String> a = PodHealth.annotations(pod);
    return name().equals(a.get(RolloutKeys.ROLLOUT))
        && Long.toString(revision).equals(a.get(RolloutKeys.REVISION));
  }

  public boolean isClaimedByMe(Pod pod) {
    return name().equals(PodHealth.annotations(pod).get(RolloutKeys.ROLLOUT));
  }
}
