package io.configguard.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Prepares the status the reconciler writes: a draft copy to edit, its conditions derived from its
 * phase (Ready, Progressing, Degraded, and kstatus' Reconciling and Stalled), bounded lists and
 * messages, and whether it changed at all (no write if not). A condition keeps its
 * lastTransitionTime unless its status or message changes. (Named apart from Fabric8's
 * StatusBuilder, which builds an API Status.)
 */
public final class StatusWriter {
  static final int MAX_HISTORY = 10;
  static final int MAX_FAILED = 32;
  private static final int MAX_MESSAGE = 1024;
  private static final Set<RolloutPhase> WORKING =
      Set.of(RolloutPhase.Pending, RolloutPhase.Validating, RolloutPhase.Progressing);

  private StatusWriter() {}

  /** Sets observedGeneration and the conditions for the status' phase. */
  public static void finish(GuardedRolloutStatus s, long generation, Instant now) {
    RolloutPhase phase = s.phase == null ? RolloutPhase.Pending : s.phase;
    s.phase = phase;
    s.observedGeneration = generation;
    s.message = cap(s.message);
    String message = s.message == null ? "" : s.message;
    String degraded = degradedReason(s);
    boolean working = WORKING.contains(phase) && degraded == null;
    boolean progressing = phase == RolloutPhase.Validating || phase == RolloutPhase.Progressing;
    List<Condition> conditions = s.conditions == null ? new ArrayList<>() : s.conditions;
    set(
        conditions,
        "Ready",
        phase == RolloutPhase.Succeeded,
        phase == RolloutPhase.Succeeded ? "Succeeded" : phase.name(),
        message,
        generation,
        now);
    set(
        conditions,
        "Progressing",
        progressing,
        progressing && s.currentStep != null ? "Step" + s.currentStep : phase.name(),
        progressing ? message : "",
        generation,
        now);
    set(
        conditions,
        "Degraded",
        degraded != null,
        degraded == null ? "AsExpected" : degraded,
        degraded == null ? "" : message,
        generation,
        now);
    set(
        conditions,
        "Reconciling",
        working,
        working ? phase.name() : "Idle",
        working ? message : "",
        generation,
        now);
    set(
        conditions,
        "Stalled",
        degraded != null,
        degraded == null ? "AsExpected" : degraded,
        degraded == null ? "" : message,
        generation,
        now);
    s.conditions = conditions;
  }

  /**
   * Why the rollout needs a change to proceed (Degraded and Stalled), or null: the circuit is open,
   * the spec is invalid, or the last revision rolled back, was aborted, failed, or conflicts.
   */
  static String degradedReason(GuardedRolloutStatus s) {
    if (s.circuitOpenGeneration != null) {
      return "CircuitOpen";
    }
    return switch (s.phase == null ? RolloutPhase.Pending : s.phase) {
      case Failed -> s.heldFrom != null ? "InvalidSpec" : "RevisionFailed";
      case RolledBack -> "RolledBack";
      case Aborted -> "Aborted";
      case Conflict -> "Conflict";
      default -> null;
    };
  }

  static void set(
      List<Condition> conditions,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    String value = status ? "True" : "False";
    Condition existing =
        conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        existing != null
                && value.equals(existing.getStatus())
                && Objects.equals(message, existing.getMessage())
                && existing.getLastTransitionTime() != null
            ? existing.getLastTransitionTime()
            : now.toString();
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    if (existing == null) {
      conditions.add(updated);
    } else {
      conditions.set(conditions.indexOf(existing), updated);
    }
  }

  static void addHistory(GuardedRolloutStatus s, RolloutHistoryEntry entry) {
    if (s.history == null) {
      s.history = new ArrayList<>();
    }
    entry.message = cap(entry.message);
    s.history.add(entry);
    while (s.history.size() > MAX_HISTORY) {
      s.history.remove(0);
    }
  }

  static void addFailed(GuardedRolloutStatus s, FailedRevision failed) {
    if (s.failedRevisions == null) {
      s.failedRevisions = new ArrayList<>();
    }
    failed.reason = cap(failed.reason);
    s.failedRevisions.add(failed);
    while (s.failedRevisions.size() > MAX_FAILED) {
      s.failedRevisions.remove(0);
    }
  }

  /** A deep copy to edit without touching the cached resource. */
  static GuardedRolloutStatus copy(GuardedRolloutStatus s) {
    if (s == null) {
      return new GuardedRolloutStatus();
    }
    try {
      return Serialization.jsonMapper()
          .readValue(Serialization.jsonMapper().writeValueAsString(s), GuardedRolloutStatus.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status does not round-trip through JSON", e);
    }
  }

  /** Whether two statuses serialize to the same JSON. */
  static boolean same(GuardedRolloutStatus a, GuardedRolloutStatus b) {
    return Serialization.jsonMapper()
        .valueToTree(a == null ? new GuardedRolloutStatus() : a)
        .equals(Serialization.jsonMapper().valueToTree(b == null ? new GuardedRolloutStatus() : b));
  }

  static String cap(String message) {
    return message == null || message.length() <= MAX_MESSAGE
        ? message
        : message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
