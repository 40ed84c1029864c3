package io.configguard.rollout;

/** The work of one phase: acts through the state's cluster and returns the next {@link Step}. */
@FunctionalInterface
interface PhaseHandler {
  Step handle(RolloutState state);
}
