package io.configguard.rollout;

import io.configguard.api.HttpGetCheck;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.configguard.rollout.PodHealth.Readiness;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The health gate over a revision's candidate pods, asked on every pass while it progresses: each
 * moved pod is checked ({@link PodHealth}, with the HTTP check's answer when one is configured);
 * pods seen unhealthy before keep counting when they disappear; a pod that does not report the
 * candidate in the revisionHeader within loadTimeoutSeconds of its own move is unhealthy. More
 * unhealthy pods than maxUnhealthyPods fail the revision ({@link #fails}).
 *
 * @param unhealthy the unhealthy pods' names (sorted) and why
 * @param loading pods that do not serve the candidate yet: their step's bake has not started
 * @param tolerated maxUnhealthyPods
 */
record HealthGate(Map<String, String> unhealthy, List<String> loading, int tolerated) {
  /** How many unhealthy pods the status lists. */
  static final int MAX_LISTED = 20;

  /**
   * Assesses the {@code moved} pods (those of {@code selected} on {@code revision}), probing them
   * when the spec has an HTTP check.
   */
  static HealthGate assess(RolloutState state, List<Pod> selected, List<Pod> moved, long revision) {
    HttpGetCheck http = state.httpCheck();
    Map<String, ProbeResult> probes =
        http == null || moved.isEmpty() ? Map.of() : state.services().probe().probe(moved, http);
    Instant stepStart = state.stepStartedAt().orElse(null);
    Map<String, String> unhealthy = new TreeMap<>();
    List<String> loading = new ArrayList<>();
    for (Pod pod : moved) {
      String name = pod.getMetadata().getName();
      // Each pod gets the load timeout from its own move (a pod moved late in the step too).
      Instant since =
          PodHealth.movedAt(pod)
              .filter(at -> stepStart == null || at.isAfter(stepStart))
              .orElse(stepStart);
      Instant loadDeadline =
          since == null || http == null ? null : since.plusSeconds(state.loadTimeoutSeconds());
      Readiness readiness =
          PodHealth.check(
              pod, revision, probes.get(name), http == null ? null : http.revisionHeader);
      if (readiness instanceof Readiness.Unhealthy u) {
        unhealthy.put(name, u.reason());
      } else if (readiness instanceof Readiness.Loading l) {
        if (loadDeadline != null && state.now().isAfter(loadDeadline)) {
          unhealthy.put(
              name, "did not report revision " + revision + " in time (" + l.detail() + ")");
        } else {
          loading.add(name);
        }
      }
    }
    Set<String> present =
        selected.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    for (String name : state.seenUnhealthy()) {
      if (!present.contains(name)) {
        unhealthy.putIfAbsent(name, "was unhealthy, then disappeared");
      }
    }
    return new HealthGate(unhealthy, loading, state.maxUnhealthyPods());
  }

  /** More pods are unhealthy than maxUnhealthyPods tolerates: the revision rolls back. */
  boolean fails() {
    return unhealthy.size() > tolerated;
  }

  /** The unhealthy pods' names to keep in the status (at most {@link #MAX_LISTED}). */
  List<String> listed() {
    return unhealthy.keySet().stream().limit(MAX_LISTED).toList();
  }

  /** Why the gate failed, for the rollback's message and the failed revision's reason. */
  String summary() {
    return unhealthy.size()
        + " unhealthy pods (tolerated "
        + tolerated
        + "): "
        + unhealthy.entrySet().stream()
            .limit(5)
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  /**
   * What a passed step says about its pods: how many were unhealthy (within maxUnhealthyPods), and
   * how many joined during the bake and were checked for less than the full time.
   */
  String passed(List<Pod> moved, Instant bakeStart, Instant now, int bake) {
    List<Long> joined =
        moved.stream()
            .map(PodHealth::movedAt)
            .flatMap(Optional::stream)
            .filter(at -> at.isAfter(bakeStart))
            .map(at -> Duration.between(at, now).toSeconds())
            .toList();
    String health =
        unhealthy.isEmpty()
            ? "every candidate pod stayed healthy"
            : unhealthy.size()
                + " of "
                + moved.size()
                + " candidate pods unhealthy (tolerated "
                + tolerated
                + "): "
                + names(5)
                + "; the others stayed healthy";
    if (joined.isEmpty()) {
      return health + " for " + bake + "s";
    }
    return health
        + ": "
        + (moved.size() - joined.size())
        + " for "
        + bake
        + "s, "
        + joined.size()
        + " moved during the bake (pods came and went) for "
        + joined.stream().mapToLong(Long::longValue).min().orElse(0)
        + "s at least";
  }

  /** For a promotion's message: the unhealthy pods it tolerated, or nothing. */
  String tolerance() {
    return unhealthy.isEmpty()
        ? ""
        : ", " + unhealthy.size() + " of them unhealthy (tolerated " + tolerated + "): " + names(5);
  }

  /** The first {@code limit} unhealthy pods' names, and how many more. */
  private String names(int limit) {
    return unhealthy.keySet().stream().limit(limit).collect(Collectors.joining(", "))
        + (unhealthy.size() > limit ? " and " + (unhealthy.size() - limit) + " more" : "");
  }
}
