package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of a GuardedRollout. Together with the pods' annotations it is the operator's
 * whole memory: an operator restarted at any point resumes from here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GuardedRolloutStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Validating, Progressing, Paused, Succeeded, RolledBack, Aborted, Frozen,"
          + " Conflict or Failed.")
  public RolloutPhase phase;

  @JsonPropertyDescription(
      "While Frozen, Paused or Failed on an invalid spec: the phase to resume when that clears.")
  public RolloutPhase heldFrom;

  @JsonPropertyDescription("What is happening or why it stopped, in one line.")
  public String message;

  @JsonPropertyDescription("Revision every pod falls back to; held by <name>-stable.")
  public Long stableRevision;

  @JsonPropertyDescription("Content hash of the stable revision.")
  public String stableHash;

  @JsonPropertyDescription("Revision being staged; held by <name>-candidate. Empty when idle.")
  public Long candidateRevision;

  @JsonPropertyDescription("Content hash of the candidate revision.")
  public String candidateHash;

  @JsonPropertyDescription("Highest revision number ever given out; numbers only grow.")
  public Long latestRevision;

  @JsonPropertyDescription("Content hash of the source ConfigMap when last looked at.")
  public String sourceHash;

  @JsonPropertyDescription("Step being moved or baked (1-based); empty when idle.")
  public Integer currentStep;

  @JsonPropertyDescription("Number of steps, including an implicit final 100%.")
  public Integer totalSteps;

  @JsonPropertyDescription("Selected pods pointed at the candidate revision.")
  public Integer updatedPods;

  @JsonPropertyDescription("Pods the selector currently matches (not terminating).")
  public Integer selectedPods;

  @JsonPropertyDescription("When the last pod of the current step was moved (RFC 3339).")
  public String stepStartedAt;

  @JsonPropertyDescription(
      "When the current step's bake clock started (RFC 3339): the last move, or the moment every"
          + " moved pod reported the candidate revision.")
  public String bakeStartedAt;

  @JsonPropertyDescription(
      "Candidate pods seen unhealthy in this revision; they keep counting if they disappear.")
  public List<String> unhealthyPods;

  @JsonPropertyDescription(
      "Consecutive attempts at moving pods that an admission controller denied (403/400 with a"
          + " reason); retried with exponential back-off, and the revision rolls back after 8.")
  public Integer deniedMoves;

  @JsonPropertyDescription("When the last denied move was attempted (RFC 3339).")
  public String lastDeniedAt;

  @JsonPropertyDescription("The last denial of a pod move, as the API server gave it.")
  public String lastDenial;

  @JsonPropertyDescription(
      "Selected pods that point at a revision neither track holds for this rollout (a forged or"
          + " stale configguard.io/revision or configguard.io/rollout); they are pointed back at"
          + " stable.")
  public Integer podsOnUnknownRevision;

  @JsonPropertyDescription(
      "Revisions that failed (newest last, at most 32); a failed hash is never retried.")
  public List<FailedRevision> failedRevisions = new ArrayList<>();

  @JsonPropertyDescription("Failed revisions since the last success; opens the circuit.")
  public Integer consecutiveFailures;

  @JsonPropertyDescription(
      "metadata.generation at which the circuit opened; a spec change closes it.")
  public Long circuitOpenGeneration;

  @JsonPropertyDescription("The ConfigFreeze holding this rollout, while Frozen.")
  public String frozenBy;

  @JsonPropertyDescription("The GuardedRollout that claims some of the selected pods, in Conflict.")
  public String conflictsWith;

  @JsonPropertyDescription("How the last revisions ended (newest last, at most 10).")
  public List<RolloutHistoryEntry> history = new ArrayList<>();

  @JsonPropertyDescription(
      "Ready, Progressing, Degraded, and the kstatus conditions Reconciling and Stalled.")
  public List<Condition> conditions = new ArrayList<>();
}
