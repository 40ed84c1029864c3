package io.configguard.policy;

/**
 * Thrown by a check that stops because it reached a bound other than time (CEL cost, schema errors,
 * regex program size): the rule fails closed with this reason, which is counted as an overrun, and
 * the policy's other rules still run.
 */
final class OverBudget extends RuntimeException {
  OverBudget(String reason) {
    super(reason, null, false, false);
  }
}
