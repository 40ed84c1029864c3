package io.configguard.api;

/** What admission does with a policy's violations. */
public enum Enforcement {
  /** Reject the request. */
  Deny,
  /** Admit the request and return each violation as a kubectl warning. */
  Warn,
  /** Admit the request and only record the violations (metrics and log). */
  Audit
}
