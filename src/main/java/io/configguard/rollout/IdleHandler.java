package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;

/**
 * Pending, Succeeded, RolledBack and Failed: nothing in flight. Keeps every claimed pod on stable
 * (releasing those that left the selector) and takes the next revision when the source has new
 * content. Failed with {@code heldFrom} set is the hold for an invalid spec: nothing is done until
 * the spec is fixed.
 */
final class IdleHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    RolloutPhase phase = s.phase;
    if (phase == RolloutPhase.Failed && !state.specErrors().isEmpty()) {
      state.message("invalid spec: " + String.join("; ", state.specErrors()));
      return Step.rest(phase, null);
    }
    if (s.candidateRevision != null) {
      // Only a hand-edited status gets here; never stage a candidate without its pre-flight.
      return Step.go(RolloutPhase.Validating);
    }
    Converge.Result converged = Converge.converge(state, null);
    Step step = Intake.run(state, phase);
    return converged.settled() || step.now() ? step : Step.rest(step.phase(), converged.retry());
  }
}
