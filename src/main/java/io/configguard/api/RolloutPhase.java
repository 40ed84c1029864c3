package io.configguard.api;

/**
 * Where a GuardedRollout is in its state machine; the operator's reconciler has one handler each.
 */
public enum RolloutPhase {
  /** No revision shipped yet: waiting for the source ConfigMap. */
  Pending,
  /** A new revision is being checked against the policies that match the source (pre-flight). */
  Validating,
  /** Pods are being pointed at the candidate revision step by step, each step baking. */
  Progressing,
  /** spec.paused: holding where it is. */
  Paused,
  /** The last revision passed every step and is stable. */
  Succeeded,
  /** The last candidate failed its health gate; every pod points at stable again. */
  RolledBack,
  /** spec.abort: the candidate was rolled back on request. */
  Aborted,
  /** A ConfigFreeze matches the namespace: no pod is touched. */
  Frozen,
  /** A selected pod is claimed by another GuardedRollout: no pod is touched. */
  Conflict,
  /** The last revision failed pre-flight, or the spec is invalid, or the circuit is open. */
  Failed
}
