package io.configguard.lifecycle;

import io.configguard.api.AuditStatus;
import io.configguard.api.PolicyException;
import io.configguard.api.PolicyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a policy's status from what the reconciler learned: whether it compiled, which exceptions
 * have expired, and the last audit. Conditions follow kstatus, which Flux and Argo CD read:
 *
 * <pre>
 *   compiled:        Ready=True  (Compiled)       Reconciling=False  Stalled=False
 *   does not compile: Ready=False (InvalidPolicy)  Reconciling=False  Stalled=True (InvalidPolicy)
 * </pre>
 *
 * A policy is never left Reconciling: compiling is synchronous, and the background audit is a
 * report about existing objects, not progress towards enforcing the policy.
 */
public final class PolicyStatuses {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String COMPILED = "Compiled";
  public static final String INVALID_POLICY = "InvalidPolicy";
  static final int MAX_MESSAGE = 32 * 1024;

  private PolicyStatuses() {}

  /**
   * The status the policy should have.
   *
   * @param current the status it has (may be null)
   * @param generation metadata.generation the outcome was computed for
   * @param compileErrors every reason it does not compile; empty when it does
   * @param expiredExceptions {@link #expiredExceptions}
   * @param audit the latest audit, or null to keep the one recorded
   */
  public static PolicyStatus next(
      PolicyStatus current,
      long generation,
      List<String> compileErrors,
      List<String> expiredExceptions,
      AuditStatus audit,
      Instant now) {
    PolicyStatus was = current == null ? new PolicyStatus() : current;
    PolicyStatus next = new PolicyStatus();
    next.observedGeneration = generation;
    List<Condition> conditions =
        new ArrayList<>(was.conditions == null ? List.of() : was.conditions);
    if (compileErrors.isEmpty()) {
      String ok = "the policy compiled and is enforced at admission";
      set(conditions, READY, "True", COMPILED, ok, generation, now);
      set(conditions, RECONCILING, "False", COMPILED, ok, generation, now);
      set(conditions, STALLED, "False", COMPILED, ok, generation, now);
    } else {
      String why = cap(String.join("; ", compileErrors));
      set(conditions, READY, "False", INVALID_POLICY, why, generation, now);
      set(
          conditions,
          RECONCILING,
          "False",
          INVALID_POLICY,
          "fix the spec: " + why,
          generation,
          now);
      set(conditions, STALLED, "True", INVALID_POLICY, why, generation, now);
    }
    next.conditions = conditions;
    next.audit = audit != null ? audit : was.audit;
    next.expiredExceptions = expiredExceptions.isEmpty() ? null : List.copyOf(expiredExceptions);
    return next;
  }

  /** Whether two statuses say the same thing (so nothing needs writing). */
  public static boolean same(PolicyStatus a, PolicyStatus b) {
    var mapper = Serialization.jsonMapper();
    return Objects.equals(
        mapper.valueToTree(a == null ? new PolicyStatus() : a),
        mapper.valueToTree(b == null ? new PolicyStatus() : b));
  }

  /**
   * Exceptions whose {@code expires} is past, as {@code spec.exceptions[i]: expired <time>
   * (<reason>)}. Unparseable times are left to the compiler's reasons.
   */
  public static List<String> expiredExceptions(List<PolicyException> exceptions, Instant now) {
    List<String> out = new ArrayList<>();
    if (exceptions == null) {
      return out;
    }
    for (int i = 0; i < exceptions.size(); i++) {
      PolicyException e = exceptions.get(i);
      Optional<Instant> expires = expiry(e);
      if (expires.isPresent() && !expires.get().isAfter(now)) {
        out.add(
            "spec.exceptions["
                + i
                + "]: expired "
                + e.expires
                + (e.reason == null || e.reason.isBlank() ? "" : " (" + e.reason + ")"));
      }
    }
    return out;
  }

  /** The next moment an exception expires, so the status can be refreshed right then. */
  public static Optional<Instant> nextExpiry(List<PolicyException> exceptions, Instant now) {
    if (exceptions == null) {
      return Optional.empty();
    }
    return exceptions.stream()
        .map(PolicyStatuses::expiry)
        .flatMap(Optional::stream)
        .filter(t -> t.isAfter(now))
        .min(Instant::compareTo);
  }

  private static Optional<Instant> expiry(PolicyException e) {
    if (e == null || e.expires == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(e.expires).toInstant());
    } catch (DateTimeParseException ex) {
      return Optional.empty();
    }
  }

  /** Sets a condition, keeping lastTransitionTime unless its status or message changed. */
  static void set(
      List<Condition> conditions,
      String type,
      String status,
      String reason,
      String message,
      long generation,
      Instant now) {
    Condition old =
        conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String since =
        old != null
                && status.equals(old.getStatus())
                && message.equals(old.getMessage())
                && old.getLastTransitionTime() != null
            ? old.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    Condition c =
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    if (old == null) {
      conditions.add(c);
    } else {
      conditions.set(conditions.indexOf(old), c);
    }
  }

  private static String cap(String message) {
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
