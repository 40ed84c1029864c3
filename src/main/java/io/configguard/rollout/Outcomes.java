package io.configguard.rollout;

import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import java.util.List;

/** Records how a revision ended in the status: history, failed hashes and the circuit. */
public final class Outcomes {
  private Outcomes() {}

  /**
   * Records a failed revision: its hash is never attempted again, and after maxFailedRevisions
   * consecutive failures the circuit opens until the spec changes.
   */
  public static void failed(RolloutState state, String reason, RolloutPhase outcome) {
    GuardedRolloutStatus s = state.status();
    String time = state.now().toString();
    StatusWriter.addFailed(
        s, new FailedRevision(s.candidateRevision, s.candidateHash, reason, time));
    StatusWriter.addHistory(
        s, new RolloutHistoryEntry(s.candidateRevision, s.candidateHash, outcome, reason, time));
    s.consecutiveFailures = (s.consecutiveFailures == null ? 0 : s.consecutiveFailures) + 1;
    if (s.consecutiveFailures >= state.maxFailedRevisions() && s.circuitOpenGeneration == null) {
      s.circuitOpenGeneration = state.generation();
      state.warning(
          "CircuitOpen",
          s.consecutiveFailures
              + " consecutive revisions failed: no new revision is taken until the spec changes");
    }
    clearCandidate(s);
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
    StatusWriter.addHistory(
        s,
        new RolloutHistoryEntry(
            revision,
            s.candidateHash,
            RolloutPhase.RolledBack,
            "withdrawn: " + reason,
            state.now().toString()));
    clearCandidate(s);
    s.updatedPods = 0;
    s.message =
        "withdrew revision "
            + revision
            + ": "
            + reason
            + "; its pods return to stable revision "
            + s.stableRevision
            + " and its content is not quarantined";
    state.warning("Withdrawn", s.message);
    return Step.rest(RolloutPhase.RolledBack, Requeue.NOW);
  }

  /** Records the candidate as stable: what promotion (or a first revision) ends with. */
  public static Step succeeded(RolloutState state, String message) {
    GuardedRolloutStatus s = state.status();
    s.stableRevision = s.candidateRevision;
    s.stableHash = s.candidateHash;
    StatusWriter.addHistory(
        s,
        new RolloutHistoryEntry(
            s.candidateRevision,
            s.candidateHash,
            RolloutPhase.Succeeded,
            message,
            state.now().toString()));
    s.consecutiveFailures = null;
    s.circuitOpenGeneration = null;
    clearCandidate(s);
    s.message = message;
    state.normal("Promoted", message);
    state.services().metrics().promoted();
    return Step.rest(RolloutPhase.Succeeded, Requeue.NOW);
  }

  static void clearCandidate(GuardedRolloutStatus s) {
    s.candidateRevision = null;
    s.candidateHash = null;
    s.currentStep = null;
    s.stepStartedAt = null;
    s.bakeStartedAt = null;
    s.unhealthyPods = null;
    Denials.clear(s);
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
