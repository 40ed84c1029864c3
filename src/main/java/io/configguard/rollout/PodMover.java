package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * Points one pod at a revision with a conditional patch. When the pod changed since it was read,
 * the patch is refused by the API server; the pod is then read again and the move is retried once
 * only if the annotations it was decided on are unchanged (kubelet status updates also change the
 * resourceVersion). If they changed underneath, the move is refused and left to the next reconcile,
 * which decides again from fresh state. A patch that something denied (an admission controller, a
 * 403 or 400 with a reason) is not a stale view: it is not retried here, and the caller backs off.
 */
final class PodMover {
  private PodMover() {}

  /** The outcome of one move. */
  public sealed interface Result {
    /** The pod now carries the revision. */
    record Moved(Pod pod) implements Result {}

    /** Not applied because the pod changed or went; {@code why} says what changed. */
    record Refused(String why) implements Result {}

    /** Denied by the API server or an admission controller; {@code reason} is its message. */
    record Denied(String pod, String reason) implements Result {}
  }

  /**
   * @param baseline record the health gate's baseline (moves to a candidate); not for moves back
   */
  public static Result pointAt(RolloutState state, Pod seen, long revision, boolean baseline) {
    return patch(
        state, seen, p -> PodPatch.pointAt(p, revision, state.name(), baseline, state.now()));
  }

  /**
   * Gives a pod that left the selector back: removes this rollout's claim and revision, so the pod
   * serves whatever stable holds, as a pod never moved does.
   */
  public static Result release(RolloutState state, Pod seen) {
    return patch(state, seen, PodPatch::release);
  }

  private static Result patch(
      RolloutState state, Pod seen, java.util.function.Function<Pod, String> patchFor) {
    Cluster cluster = state.cluster();
    String name = seen.getMetadata().getName();
    PodPatch.Expectation expected = PodPatch.Expectation.of(seen);
    try {
      return new Result.Moved(cluster.patchPod(seen, patchFor.apply(seen)));
    } catch (Cluster.Refused first) {
      if (first.why() == Cluster.Refused.Why.DENIED) {
        return new Result.Denied(name, first.getMessage());
      }
      Optional<Pod> fresh = cluster.freshPod(state.namespace(), name);
      if (fresh.isEmpty() || fresh.get().getMetadata().getDeletionTimestamp() != null) {
        return new Result.Refused(name + " is gone");
      }
      if (!expected.holds(fresh.get())) {
        return new Result.Refused(
            name
                + " changed underneath (expected "
                + expected.describe()
                + ", found "
                + PodPatch.Expectation.of(fresh.get()).describe()
                + ")");
      }
      try {
        return new Result.Moved(cluster.patchPod(fresh.get(), patchFor.apply(fresh.get())));
      } catch (Cluster.Refused second) {
        return second.why() == Cluster.Refused.Why.DENIED
            ? new Result.Denied(name, second.getMessage())
            : new Result.Refused(name + " keeps changing");
      }
    }
  }
}
