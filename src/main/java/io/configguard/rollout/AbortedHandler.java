package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;

/**
 * spec.abort: a candidate in flight is rolled back now and recorded as failed (so clearing abort
 * does not push the same content again); while abort stays true no new revision is taken. Once it
 * is false, Aborted behaves like the other idle phases.
 */
final class AbortedHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.candidateRevision != null) {
      return Rollback.run(state, "aborted: spec.abort is true", RolloutPhase.Aborted);
    }
    boolean settled = Converge.run(state);
    if (Boolean.TRUE.equals(state.spec().abort)) {
      if (s.message == null || !s.message.startsWith("aborted")) {
        state.message("aborted: no new revision is taken while spec.abort is true");
      }
      return Step.rest(RolloutPhase.Aborted, settled ? null : Requeue.RETRY);
    }
    Step step = Intake.run(state, RolloutPhase.Aborted);
    return settled || step.now() ? step : Step.rest(step.phase(), Requeue.RETRY);
  }
}
