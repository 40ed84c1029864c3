package io.configguard.rollout;

import java.time.Clock;

/**
 * The operator's collaborators that are not Kubernetes objects.
 *
 * @param policies the policies pre-flight evaluates a candidate against
 * @param probe the HTTP health check
 * @param metrics Prometheus counters and gauges
 * @param clock time source (bake clocks)
 * @param moves moves pods with bounded parallelism (the operator's threads)
 */
record RolloutServices(
    PolicySource policies, HttpProbe probe, RolloutMetrics metrics, Clock clock, PodBatch moves) {}
