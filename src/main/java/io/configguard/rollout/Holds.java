package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import java.util.List;
import java.util.Optional;

/**
 * Decides which phase's handler runs, before any handler does: a matching freeze, an invalid spec
 * and {@code spec.paused} hold the rollout (Frozen, Failed, Paused; in that order of precedence),
 * remembering the phase to resume in {@code heldFrom}; {@code spec.abort} outranks a pause and
 * sends any phase to Aborted. A freeze outranks abort: while frozen no pod is touched at all.
 */
final class Holds {
  private Holds() {}

  public static RolloutPhase resolve(
      GuardedRolloutStatus status,
      GuardedRolloutSpec spec,
      Optional<ConfigFreeze> freeze,
      List<String> specErrors) {
    RolloutPhase current = status.phase == null ? RolloutPhase.Pending : status.phase;
    boolean abort = spec != null && Boolean.TRUE.equals(spec.abort);
    boolean paused = spec != null && Boolean.TRUE.equals(spec.paused);
    status.frozenBy = freeze.map(f -> f.getMetadata().getName()).orElse(null);
    RolloutPhase hold =
        freeze.isPresent()
            ? RolloutPhase.Frozen
            : !specErrors.isEmpty()
                ? RolloutPhase.Failed
                : paused && !abort ? RolloutPhase.Paused : null;
    if (hold != null) {
      if (status.heldFrom == null) {
        status.heldFrom = current;
      }
      return hold;
    }
    if (status.heldFrom != null) {
      current = status.heldFrom;
      status.heldFrom = null;
    }
    return abort ? RolloutPhase.Aborted : current;
  }
}
