package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;

/**
 * Points every candidate pod back at the stable revision and records the revision as failed. The
 * stable ConfigMap was never touched, so those pods get exactly the prior bytes back.
 */
public final class Rollback {
  static final Duration RETRY = Duration.ofSeconds(2);

  private Rollback() {}

  public static Step run(RolloutState state, String reason, RolloutPhase outcome) {
    GuardedRolloutStatus s = state.status();
    long candidate = s.candidateRevision;
    long stable = s.stableRevision;
    int back = 0;
    int refused = 0;
    for (Pod pod : state.selectedPods()) {
      if (state.isOn(pod, candidate)) {
        if (PodMover.pointAt(state, pod, stable, false) instanceof PodMover.Result.Moved) {
          back++;
        } else {
          refused++;
        }
      }
    }
    Outcomes.failed(state, reason, outcome);
    s.updatedPods = 0;
    s.message =
        (outcome == RolloutPhase.Aborted ? "aborted" : "rolled back")
            + " revision "
            + candidate
            + ": "
            + reason
            + "; "
            + back
            + " pods back on stable revision "
            + stable
            + (refused > 0 ? "; " + refused + " still to return" : "");
    state.warning(outcome == RolloutPhase.Aborted ? "Aborted" : "RolledBack", s.message);
    state.services().metrics().rolledBack(outcome);
    return Step.rest(outcome, refused > 0 ? RETRY : Outcomes.LOOK_AGAIN);
  }
}
