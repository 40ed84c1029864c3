package io.configguard.rollout;

import java.time.Duration;

/**
 * Every wait of the rollout operator in one table: how long a pass that stops asks to be looked at
 * again (a {@link Step}'s requeue, a deletion's reschedule). Waiting is rescheduling, never
 * sleeping; a change to a watched pod, ConfigMap or freeze wakes the rollout earlier.
 */
final class Requeue {
  /**
   * Look again at once, in a pass of its own: after an outcome (the status is patched first, a
   * rollback's pods are returned on the next pass, and the source may have changed meanwhile),
   * after staging (the status records the candidate before any pod points at it), and after a step.
   */
  static final Duration NOW = Duration.ZERO;

  /** A write that was refused (a stale view, a pod that changed) or a track being restored. */
  static final Duration RETRY = Duration.ofSeconds(2);

  /** Pre-flight could not run or write yet (stable track unknown, candidate write refused). */
  static final Duration VALIDATION_RETRY = Duration.ofSeconds(5);

  /** Polling pods for the candidate revision in healthCheck.httpGet.revisionHeader. */
  static final Duration LOAD_POLL = Duration.ofSeconds(2);

  /** The longest wait during a bake with an HTTP check, which pod events do not wake. */
  static final Duration BAKE_POLL = Duration.ofSeconds(10);

  /** No pod matches the selector. */
  static final Duration NO_PODS = Duration.ofSeconds(30);

  /** Another rollout claims a selected pod. */
  static final Duration CONFLICT = Duration.ofSeconds(30);

  /** A ConfigFreeze holds the namespace. */
  static final Duration FROZEN = Duration.ofSeconds(60);

  /** A deletion is held (by a freeze, or pods that cannot go back): an Event each time. */
  static final Duration DELETION_HELD = Duration.ofMinutes(1);

  /** The first back-off after a denied pod move; it doubles with each consecutive denial. */
  static final Duration FIRST_DENIAL = Duration.ofSeconds(2);

  /** The longest back-off after denied pod moves. */
  static final Duration LONGEST_DENIAL = Duration.ofMinutes(5);

  /**
   * Minutes after which the operator SDK reconciles a rollout that nothing woke; a constant for the
   * {@code @ControllerConfiguration} annotation.
   */
  static final int MAX_INTERVAL_MINUTES = 5;

  private Requeue() {}

  /** The back-off after {@code denials} consecutive denials: 2 s × 2^(n-1), at most 5 minutes. */
  static Duration afterDenials(int denials) {
    long seconds = FIRST_DENIAL.getSeconds() << Math.max(0, Math.min(denials - 1, 20));
    return seconds >= LONGEST_DENIAL.getSeconds() ? LONGEST_DENIAL : Duration.ofSeconds(seconds);
  }

  /**
   * While a step bakes for {@code left}: until its end, or with an HTTP check (whose answers no
   * event announces) at most {@link #BAKE_POLL}.
   */
  static Duration whileBaking(Duration left, boolean httpCheck) {
    return httpCheck && left.compareTo(BAKE_POLL) > 0 ? BAKE_POLL : left;
  }
}
