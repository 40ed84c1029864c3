package io.configguard.policy;

/** Thrown inside an evaluation once its deadline has passed; turned into a violation. */
final class BudgetExceeded extends RuntimeException {
  BudgetExceeded() {
    super("evaluation exceeded time budget", null, false, false);
  }
}
