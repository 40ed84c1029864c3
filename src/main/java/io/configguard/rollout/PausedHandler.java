package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;

/** spec.paused: holds where it is; moves no pod, promotes nothing, takes no new revision. */
final class PausedHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    state.message(
        s.candidateRevision == null
            ? "paused: no new revision is taken"
            : "paused at step "
                + s.currentStep
                + "/"
                + s.totalSteps
                + " with "
                + s.updatedPods
                + " pods on revision "
                + s.candidateRevision);
    if (state.enteredAs() != RolloutPhase.Paused) {
      state.normal("Paused", s.message);
    }
    return Step.rest(RolloutPhase.Paused, null);
  }
}
