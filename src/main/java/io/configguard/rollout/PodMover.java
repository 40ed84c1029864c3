package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * Points one pod at a revision with a conditional patch. When the pod changed since it was read,
 * the patch is refused by the API server; the pod is then read again and the move is retried once
 * only if the annotations it was decided on are unchanged (kubelet status updates also change the
 * resourceVersion). If they changed underneath, the move is refused and left to the next reconcile,
 * which decides again from fresh state.
 */
public final class PodMover {
  private PodMover() {}

  /** The outcome of one move. */
  public sealed interface Result {
    /** The pod now carries the revision. */
    record Moved(Pod pod) implements Result {}

    /** Not applied; {@code why} says what changed. */
    record Refused(String why) implements Result {}
  }

  /**
   * @param baseline record the health gate's baseline (moves to a candidate); not for moves back
   */
  public static Result pointAt(RolloutState state, Pod seen, long revision, boolean baseline) {
    Cluster cluster = state.cluster();
    PodPatch.Expectation expected = PodPatch.Expectation.of(seen);
    try {
      return new Result.Moved(
          cluster.patchPod(seen, PodPatch.pointAt(seen, revision, state.name(), baseline)));
    } catch (Cluster.Refused first) {
      Optional<Pod> fresh = cluster.freshPod(state.namespace(), seen.getMetadata().getName());
      if (fresh.isEmpty() || fresh.get().getMetadata().getDeletionTimestamp() != null) {
        return new Result.Refused(seen.getMetadata().getName() + " is gone");
      }
      if (!expected.holds(fresh.get())) {
        return new Result.Refused(
            seen.getMetadata().getName()
                + " changed underneath (expected "
                + expected.describe()
                + ", found "
                + PodPatch.Expectation.of(fresh.get()).describe()
                + ")");
      }
      try {
        return new Result.Moved(
            cluster.patchPod(
                fresh.get(), PodPatch.pointAt(fresh.get(), revision, state.name(), baseline)));
      } catch (Cluster.Refused second) {
        return new Result.Refused(seen.getMetadata().getName() + " keeps changing");
      }
    }
  }
}
