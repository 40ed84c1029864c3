package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;

/**
 * Rolls the candidate back: records the revision as failed and ends it, and leaves the pods to
 * {@link Converge}, which points every candidate pod this rollout claims back at the stable
 * revision on the next pass, selected or not (a pod relabelled out of the selector is released).
 * The stable ConfigMap was never touched, so those pods get exactly the prior bytes back.
 *
 * <p>The decision is written to the status before any pod is touched. Pointing pods back first
 * would erase the evidence: an operator restarted after the unhealthy pod went back, but before the
 * status said RolledBack, would find no unhealthy candidate pod and move that pod to the failed
 * revision again.
 */
final class Rollback {
  private Rollback() {}

  public static Step run(RolloutState state, String reason, RolloutPhase outcome) {
    GuardedRolloutStatus s = state.status();
    long candidate = s.candidateRevision;
    long toReturn = state.claimedPods().stream().filter(p -> state.isOn(p, candidate)).count();
    Outcomes.failed(state, reason, outcome);
    state.updatedPods(0);
    state.message(
        (outcome == RolloutPhase.Aborted ? "aborted" : "rolled back")
            + " revision "
            + candidate
            + ": "
            + reason
            + "; returning "
            + toReturn
            + " pods to stable revision "
            + s.stableRevision);
    state.warning(outcome == RolloutPhase.Aborted ? "Aborted" : "RolledBack", s.message);
    state.services().metrics().rolledBack(outcome);
    return Step.rest(outcome, Requeue.NOW);
  }
}
