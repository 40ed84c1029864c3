package io.configguard.rollout;

import io.configguard.api.RolloutPhase;
import java.util.EnumMap;
import java.util.Map;

/** The registry: which handler does the work of each phase. */
final class PhaseHandlers {
  private PhaseHandlers() {}

  public static Map<RolloutPhase, PhaseHandler> all() {
    IdleHandler idle = new IdleHandler();
    Map<RolloutPhase, PhaseHandler> handlers = new EnumMap<>(RolloutPhase.class);
    handlers.put(RolloutPhase.Pending, idle);
    handlers.put(RolloutPhase.Validating, new ValidatingHandler());
    handlers.put(RolloutPhase.Progressing, new ProgressingHandler());
    handlers.put(RolloutPhase.Paused, new PausedHandler());
    handlers.put(RolloutPhase.Succeeded, idle);
    handlers.put(RolloutPhase.RolledBack, idle);
    handlers.put(RolloutPhase.Aborted, new AbortedHandler());
    handlers.put(RolloutPhase.Frozen, new FrozenHandler());
    handlers.put(RolloutPhase.Conflict, new ConflictHandler());
    handlers.put(RolloutPhase.Failed, idle);
    return handlers;
  }
}
