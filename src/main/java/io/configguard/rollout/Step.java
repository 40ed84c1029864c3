package io.configguard.rollout;

import io.configguard.api.RolloutPhase;
import java.time.Duration;

/**
 * What a phase handler decided: the phase to be in, and either to run that phase's handler now (in
 * the same reconcile) or to stop and look again after {@code requeue} (null: only when something
 * changes).
 */
record Step(RolloutPhase phase, Duration requeue, boolean now) {
  /** Hand over to {@code phase}'s handler right away. */
  public static Step go(RolloutPhase phase) {
    return new Step(phase, Duration.ZERO, true);
  }

  /** Stop in {@code phase}; reconcile again after {@code requeue}, or on the next change. */
  public static Step rest(RolloutPhase phase, Duration requeue) {
    return new Step(phase, requeue, false);
  }
}
