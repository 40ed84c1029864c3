package io.configguard.rollout;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Prometheus metrics of the rollouts: {@code configguard_rollouts{phase}}, {@code
 * configguard_rollout_pods_moved_total}, {@code configguard_rollout_rollbacks_total{outcome}} and
 * {@code configguard_rollout_promotions_total}.
 */
final class RolloutMetrics {
  private final MeterRegistry registry;
  private final Counter podsMoved;
  private final Counter promotions;

  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.podsMoved =
        Counter.builder("configguard.rollout.pods.moved")
            .description("Pods pointed at a candidate revision")
            .register(registry);
    this.promotions =
        Counter.builder("configguard.rollout.promotions")
            .description("Candidate revisions promoted to stable")
            .register(registry);
  }

  /** Counts rollouts by phase from the operator's cache, so deleted ones drop out by themselves. */
  public void countPhasesOf(Supplier<Stream<GuardedRollout>> rollouts) {
    for (RolloutPhase phase : RolloutPhase.values()) {
      Gauge.builder(
              "configguard.rollouts",
              () ->
                  rollouts
                      .get()
                      .filter(r -> r.getStatus() != null && r.getStatus().phase == phase)
                      .count())
          .description("GuardedRollouts by phase")
          .tag("phase", phase.name())
          .register(registry);
    }
  }

  public void podsMoved(int count) {
    podsMoved.increment(count);
  }

  public void rolledBack(RolloutPhase outcome) {
    Counter.builder("configguard.rollout.rollbacks")
        .description("Candidate revisions rolled back (RolledBack) or aborted (Aborted)")
        .tag("outcome", outcome.name())
        .register(registry)
        .increment();
  }

  public void promoted() {
    promotions.increment();
  }
}
