package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Keeps the idle invariant: with no candidate in flight, every selected pod this rollout has
 * claimed points at the stable revision. Finishes rollbacks whose patches were refused, and brings
 * back pods that were left on an old number (which neither ConfigMap holds any more).
 */
public final class Converge {
  private Converge() {}

  /** Whether every claimed pod now points at stable. */
  public static boolean run(RolloutState state) {
    Long stable = state.status().stableRevision;
    if (stable == null) {
      return true;
    }
    int moved = 0;
    int refused = 0;
    for (Pod pod : state.selectedPods()) {
      if (state.isClaimedByMe(pod) && !state.isOn(pod, stable)) {
        if (PodMover.pointAt(state, pod, stable, false) instanceof PodMover.Result.Moved) {
          moved++;
        } else {
          refused++;
        }
      }
    }
    if (moved > 0) {
      state.normal("PodsReturned", moved + " pods pointed back at stable revision " + stable);
    }
    return refused == 0;
  }
}
