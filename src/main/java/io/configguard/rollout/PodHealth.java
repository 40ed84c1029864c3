package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Map;

/**
 * The health gate for one candidate pod: it must stay Ready (if it was Ready when moved), keep its
 * container restart counts, and pass the optional HTTP check. The baseline is what the move patch
 * recorded in the pod's annotations, so it survives an operator restart.
 */
final class PodHealth {
  private PodHealth() {}

  /** The gate's answer for one pod. */
  public sealed interface Readiness {
    /** Passing. */
    record Healthy() implements Readiness {}

    /** Not yet serving the candidate (revisionHeader): its bake has not started. */
    record Loading(String detail) implements Readiness {}

    /** Failing; counts against maxUnhealthyPods. */
    record Unhealthy(String reason) implements Readiness {}
  }

  /** The answer of the HTTP check, when one is configured. */
  public sealed interface ProbeResult {
    /** 2xx; {@code revision} is the revisionHeader's value, or null. */
    record Ok(String revision) implements ProbeResult {}

    /** No answer, or not 2xx. */
    record Failed(String reason) implements ProbeResult {}
  }

  /**
   * @param probe the HTTP check's answer, or null when no check is configured
   * @param revisionHeader the header that must carry {@code candidate}, or null
   */
  public static Readiness check(Pod pod, long candidate, ProbeResult probe, String revisionHeader) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
      return new Readiness.Unhealthy("pod phase " + phase);
    }
    Map<String, String> annotations = annotations(pod);
    int baseline = parseInt(annotations.get(RolloutKeys.RESTARTS_AT_MOVE));
    int restarts = restarts(pod);
    if (restarts > baseline) {
      return new Readiness.Unhealthy("restarts " + baseline + "→" + restarts);
    }
    boolean wasReady = !"false".equals(annotations.get(RolloutKeys.READY_AT_MOVE));
    if (wasReady && !isReady(pod)) {
      return new Readiness.Unhealthy("not Ready");
    }
    if (probe instanceof ProbeResult.Failed failed) {
      return new Readiness.Unhealthy(failed.reason());
    }
    if (probe instanceof ProbeResult.Ok ok && revisionHeader != null) {
      if (!Long.toString(candidate).equals(ok.revision())) {
        return new Readiness.Loading(
            revisionHeader + ": " + (ok.revision() == null ? "missing" : ok.revision()));
      }
    }
    return new Readiness.Healthy();
  }

  public static boolean isReady(Pod pod) {
    List<PodCondition> conditions =
        pod.getStatus() == null ? null : pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Sum of the restart counts of the pod's containers; each only grows, so the sum does too. */
  public static int restarts(Pod pod) {
    List<ContainerStatus> statuses =
        pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses == null) {
      return 0;
    }
    return statuses.stream()
        .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
        .sum();
  }

  /** When the pod was moved to the candidate, as its move recorded; empty for older moves. */
  public static java.util.Optional<java.time.Instant> movedAt(Pod pod) {
    try {
      String at = annotations(pod).get(RolloutKeys.MOVED_AT);
      return at == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(java.time.Instant.parse(at));
    } catch (java.time.format.DateTimeParseException e) {
      return java.util.Optional.empty();
    }
  }

  static Map<String, String> annotations(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static int parseInt(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
