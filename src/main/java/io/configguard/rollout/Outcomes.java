package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import java.util.List;

/**
 * How a revision ends: failed, withdrawn or promoted. The status changes are {@link RolloutState}'s
 * transitions; here are the Events and metrics that go with them, and the next {@link Step}.
 */
final class Outcomes {
  private Outcomes() {}

  /**
   * Records a failed revision: its hash is never attempted again, and after maxFailedRevisions
   * consecutive failures the circuit opens until the spec changes.
   */
  public static void failed(RolloutState state, String reason, RolloutPhase outcome) {
    if (state.failCandidate(reason, outcome)) {
      state.warning(
          "CircuitOpen",
          state.status().consecutiveFailures
              + " consecutive revisions failed: no new revision is taken until the spec changes");
    }
  }

  /**
   * Ends the candidate without blaming its content: the operator could not keep it as staged (its
   * track was lost with no copy left). Its pods are returned to stable by {@link Converge}; its
   * hash is not quarantined and the failure does not count towards the circuit, so the content is
   * taken again, under a new number, when the source holds it.
   */
  public static Step withdrawn(RolloutState state, String reason) {
    GuardedRolloutStatus s = state.status();
    long revision = s.candidateRevision;
    state.withdrawCandidate(reason);
    state.message(
        "withdrew revision "
            + revision
            + ": "
            + reason
            + "; its pods return to stable revision "
            + s.stableRevision
            + " and its content is not quarantined");
    state.warning("Withdrawn", s.message);
    return Step.rest(RolloutPhase.RolledBack, Requeue.NOW);
  }

  /** Records the candidate as stable: what promotion (or a first revision) ends with. */
  public static Step succeeded(RolloutState state, String message) {
    state.promoteCandidate(message);
    state.normal("Promoted", message);
    state.services().metrics().promoted();
    return Step.rest(RolloutPhase.Succeeded, Requeue.NOW);
  }

  /** The idle phase to show when nothing is in flight: how the last revision ended. */
  public static RolloutPhase idlePhase(GuardedRolloutStatus s) {
    if (s.stableRevision == null && (s.history == null || s.history.isEmpty())) {
      return RolloutPhase.Pending;
    }
    List<RolloutHistoryEntry> h = s.history;
    return h == null || h.isEmpty() ? RolloutPhase.Succeeded : h.get(h.size() - 1).outcome;
  }
}
