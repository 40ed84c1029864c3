package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.RolloutPhase;
import java.util.List;
import java.util.Optional;

/**
 * Decides which phase's handler runs, before any handler does: a matching freeze, an invalid spec
 * and {@code spec.paused} hold the rollout (Frozen, Failed, Paused; in that order of precedence),
 * remembering the phase to resume in {@code heldFrom}; {@code spec.abort} outranks a pause and
 * sends any phase to Aborted. A freeze outranks abort: while frozen no pod is touched at all.
 *
 * <p>A pure decision: {@link RolloutState#resolveHolds} records what it returns.
 */
final class Holds {
  private Holds() {}

  /**
   * The phase to run, the phase a hold resumes ({@code heldFrom}, null when nothing is held) and
   * the freeze holding the rollout ({@code frozenBy}, null when none).
   */
  record Resolution(RolloutPhase run, RolloutPhase heldFrom, String frozenBy) {}

  static Resolution resolve(
      RolloutPhase phase,
      RolloutPhase heldFrom,
      GuardedRolloutSpec spec,
      Optional<ConfigFreeze> freeze,
      List<String> specErrors) {
    RolloutPhase current = phase == null ? RolloutPhase.Pending : phase;
    boolean abort = spec != null && Boolean.TRUE.equals(spec.abort);
    boolean paused = spec != null && Boolean.TRUE.equals(spec.paused);
    String frozenBy = freeze.map(f -> f.getMetadata().getName()).orElse(null);
    RolloutPhase hold =
        freeze.isPresent()
            ? RolloutPhase.Frozen
            : !specErrors.isEmpty()
                ? RolloutPhase.Failed
                : paused && !abort ? RolloutPhase.Paused : null;
    if (hold != null) {
      return new Resolution(hold, heldFrom == null ? current : heldFrom, frozenBy);
    }
    RolloutPhase resumed = heldFrom != null ? heldFrom : current;
    return new Resolution(abort ? RolloutPhase.Aborted : resumed, null, frozenBy);
  }
}
