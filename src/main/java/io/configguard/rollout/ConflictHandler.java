package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import java.util.Optional;

/**
 * Some selected pod is claimed by another GuardedRollout: no pod is touched until the claim is gone
 * (that rollout deleted, or the pod no longer selected); then staging resumes.
 */
final class ConflictHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.candidateRevision == null) {
      state.clearConflict();
      return Step.go(Outcomes.idlePhase(s));
    }
    Optional<Claims.Foreign> foreign = Claims.find(state, state.selectedPods());
    if (foreign.isPresent()) {
      return enter(state, foreign.get());
    }
    state.clearConflict();
    state.normal("ConflictResolved", "no selected pod is claimed by another GuardedRollout");
    return Step.go(RolloutPhase.Progressing);
  }

  static Step enter(RolloutState state, Claims.Foreign foreign) {
    GuardedRolloutStatus s = state.status();
    state.enterConflict(foreign.rollout());
    state.message(
        "pod "
            + foreign.pod()
            + " is claimed by GuardedRollout "
            + foreign.rollout()
            + "; no pod is touched while the selectors overlap");
    if (state.enteredAs() != RolloutPhase.Conflict) {
      state.warning("Conflict", s.message);
    }
    return Step.rest(RolloutPhase.Conflict, Requeue.CONFLICT);
  }
}
