package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the phase handlers need from Kubernetes. The operator's implementation reads from its
 * informers' caches and writes conditionally through the API; tests can supply their own.
 */
interface Cluster {
  Optional<ConfigMap> configMap(String namespace, String name);

  /** Every pod of the namespace, as last seen (including this operator's own writes). */
  List<Pod> pods(String namespace);

  /**
   * The pods of the namespace that {@code rollout} claims (annotation {@code
   * configguard.io/rollout}), whether or not its selector matches them now.
   */
  default List<Pod> claimedPods(String namespace, String rollout) {
    return pods(namespace).stream()
        .filter(p -> rollout.equals(PodHealth.annotations(p).get(RolloutKeys.ROLLOUT)))
        .toList();
  }

  /** The pod as the API server has it now. */
  Optional<Pod> freshPod(String namespace, String name);

  /** Applies a JSON merge patch that carries the pod's resourceVersion as its precondition. */
  Pod patchPod(Pod pod, String mergePatch) throws Refused;

  ConfigMap create(ConfigMap map) throws Refused;

  /** Replaces the ConfigMap if its resourceVersion still matches {@code map}'s. */
  ConfigMap update(ConfigMap map) throws Refused;

  /** Deletes the ConfigMap if its resourceVersion still matches {@code map}'s. */
  void delete(ConfigMap map) throws Refused;

  boolean rolloutExists(String namespace, String name);

  /**
   * Whether the API server (a fresh read, not a cache) still has {@code read} at the version this
   * pass read: the fence for the rare write that may lower a track's number (a repair).
   */
  boolean rolloutUnchanged(GuardedRollout read);

  List<ConfigFreeze> freezes();

  Map<String, String> namespaceLabels(String namespace);

  /**
   * Records a Kubernetes Event about the rollout; never fails the caller. The operator files it
   * only once the pass's writes are committed, so a pass from a stale view files none.
   */
  void event(GuardedRollout about, String type, String reason, String message);

  /** A write the API server did not apply. */
  final class Refused extends Exception {
    /** Why a write was not applied. */
    public enum Why {
      /** The object changed since it was read (409), or a precondition failed (422). */
      STALE,
      /** An admission webhook denied it. */
      DENIED,
      /** The object exists but is not this rollout's to write. */
      NOT_OURS
    }

    private final Why why;

    public Refused(Why why, String message) {
      super(message);
      this.why = why;
    }

    public Why why() {
      return why;
    }
  }
}
