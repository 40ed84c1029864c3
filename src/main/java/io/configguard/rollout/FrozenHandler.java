package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.RolloutPhase;

/** A ConfigFreeze matches the namespace: touches no pod and no ConfigMap until it is lifted. */
final class FrozenHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    ConfigFreeze freeze = state.freeze().orElseThrow();
    state.message(
        "frozen by ConfigFreeze "
            + freeze.getMetadata().getName()
            + " ("
            + Freezes.reasonOf(freeze)
            + "); no pod is touched");
    if (state.enteredAs() != RolloutPhase.Frozen) {
      state.warning("Frozen", state.status().message);
    }
    return Step.rest(RolloutPhase.Frozen, Requeue.FROZEN);
  }
}
