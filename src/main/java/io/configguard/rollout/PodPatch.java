package io.configguard.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the conditional patch that points a pod at a revision. The patch carries the pod's
 * resourceVersion, so the API server applies it only to the exact pod version the decision was made
 * on (409 otherwise). A JSON Patch {@code test} on the annotation would be narrower, but it cannot
 * test that an annotation is absent, and the Fabric8 mock server never answers a failed test; the
 * resourceVersion precondition works on both, and {@link Expectation} narrows a retry to the
 * annotations that matter.
 */
final class PodPatch {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PodPatch() {}

  /** The same as {@link #pointAt(Pod, long, String, boolean, Instant)} without a move time. */
  public static String pointAt(Pod pod, long revision, String rollout, boolean baseline) {
    return pointAt(pod, revision, rollout, baseline, null);
  }

  /**
   * A JSON merge patch setting the revision and claim annotations (and the claim label, where the
   * rollout's name fits in a label value), conditional on the pod's resourceVersion. With {@code
   * baseline}, it also records the health gate's baseline (restart count and readiness) read from
   * the same pod version and, with {@code movedAt}, when the pod was moved: its own bake starts
   * there.
   */
  public static String pointAt(
      Pod pod, long revision, String rollout, boolean baseline, Instant movedAt) {
    ObjectNode patch = conditional(pod);
    ObjectNode metadata = (ObjectNode) patch.get("metadata");
    ObjectNode annotations = metadata.putObject("annotations");
    annotations.put(RolloutKeys.REVISION, Long.toString(revision));
    annotations.put(RolloutKeys.ROLLOUT, rollout);
    if (baseline) {
      annotations.put(RolloutKeys.RESTARTS_AT_MOVE, Integer.toString(PodHealth.restarts(pod)));
      annotations.put(RolloutKeys.READY_AT_MOVE, Boolean.toString(PodHealth.isReady(pod)));
      if (movedAt != null) {
        annotations.put(RolloutKeys.MOVED_AT, movedAt.toString());
      }
    }
    if (RolloutKeys.fitsLabel(rollout)) {
      metadata.putObject("labels").put(RolloutKeys.ROLLOUT, rollout);
    }
    return patch.toString();
  }

  /**
   * A JSON merge patch removing every configguard annotation and the claim label, conditional on
   * the pod's resourceVersion: the pod is no longer this rollout's and serves whatever stable
   * holds.
   */
  public static String release(Pod pod) {
    ObjectNode patch = conditional(pod);
    ObjectNode metadata = (ObjectNode) patch.get("metadata");
    ObjectNode annotations = metadata.putObject("annotations");
    for (String key :
        new String[] {
          RolloutKeys.REVISION,
          RolloutKeys.ROLLOUT,
          RolloutKeys.RESTARTS_AT_MOVE,
          RolloutKeys.READY_AT_MOVE,
          RolloutKeys.MOVED_AT
        }) {
      if (PodHealth.annotations(pod).containsKey(key)) {
        annotations.putNull(key);
      }
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels != null && labels.containsKey(RolloutKeys.ROLLOUT)) {
      metadata.putObject("labels").putNull(RolloutKeys.ROLLOUT);
    }
    return patch.toString();
  }

  private static ObjectNode conditional(Pod pod) {
    String resourceVersion = pod.getMetadata().getResourceVersion();
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      throw new IllegalArgumentException("a conditional patch needs the pod's resourceVersion");
    }
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").put("resourceVersion", resourceVersion);
    return patch;
  }

  /**
   * The annotation values a move was decided on. After a refused patch the pod is read again and
   * the move is retried only while these still hold (the pod's resourceVersion also changes when
   * kubelet updates its status); if the annotations changed underneath, the move is refused.
   *
   * @param revision the configguard.io/revision value, or null
   * @param claim the configguard.io/rollout value, or null
   */
  public record Expectation(String revision, String claim) {
    public static Expectation of(Pod pod) {
      Map<String, String> a = PodHealth.annotations(pod);
      return new Expectation(a.get(RolloutKeys.REVISION), a.get(RolloutKeys.ROLLOUT));
    }

    public boolean holds(Pod fresh) {
      return equals(of(fresh));
    }

    public String describe() {
      return "revision "
          + Objects.toString(revision, "none")
          + ", rollout "
          + Objects.toString(claim, "none");
    }
  }
}
