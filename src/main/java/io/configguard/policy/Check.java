package io.configguard.policy;

/**
 * One check of a rule: a small pure function from a subject to violations. It reports through
 * {@link Findings} and never throws to deny.
 */
interface Check {
  void check(Subject subject, Findings findings);

  /** Whether the check applies only when there is a new object (false for CEL, which sees null). */
  default boolean needsObject() {
    return true;
  }
}
