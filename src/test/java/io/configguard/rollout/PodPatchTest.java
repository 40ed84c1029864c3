package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.annotated;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static io.configguard.rollout.RolloutFixtures.withRestarts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

class PodPatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMoveIsConditionalOnTheResourceVersionAndRecordsTheBaseline() throws Exception {
    Pod pod = withRestarts(withReady(pod("p", "n"), false), 3);
    pod.getMetadata().setResourceVersion("42");
    JsonNode patch = JSON.readTree(PodPatch.pointAt(pod, 7, "bot-features", true));
    assertThat(patch.at("/metadata/resourceVersion").asText()).isEqualTo("42");
    JsonNode a = patch.at("/metadata/annotations");
    assertThat(a.get(RolloutKeys.REVISION).asText()).isEqualTo("7");
    assertThat(a.get(RolloutKeys.ROLLOUT).asText()).isEqualTo("bot-features");
    assertThat(a.get(RolloutKeys.RESTARTS_AT_MOVE).asText()).isEqualTo("3");
    assertThat(a.get(RolloutKeys.READY_AT_MOVE).asText()).isEqualTo("false");
    assertThat(patch.size()).isEqualTo(1);
    assertThat(patch.get("metadata").size()).isEqualTo(3);
    assertThat(patch.at("/metadata/labels").get(RolloutKeys.ROLLOUT).asText())
        .as("the claim is also a label, so claimed pods can be watched by label")
        .isEqualTo("bot-features");
  }

  @Test
  void aMoveToACandidateRecordsWhenThePodWasMoved() throws Exception {
    Pod pod = pod("p", "n");
    pod.getMetadata().setResourceVersion("1");
    java.time.Instant at = java.time.Instant.parse("2026-03-01T10:00:00Z");
    JsonNode a = JSON.readTree(PodPatch.pointAt(pod, 7, "r", true, at)).at("/metadata/annotations");
    assertThat(a.get(RolloutKeys.MOVED_AT).asText()).isEqualTo("2026-03-01T10:00:00Z");
    pod.getMetadata().setAnnotations(java.util.Map.of(RolloutKeys.MOVED_AT, at.toString()));
    assertThat(PodHealth.movedAt(pod)).contains(at);
  }

  @Test
  void aNameThatIsNoLabelValueKeepsOnlyTheAnnotation() throws Exception {
    Pod pod = pod("p", "n");
    pod.getMetadata().setResourceVersion("1");
    String longName = "r".repeat(64);
    JsonNode patch = JSON.readTree(PodPatch.pointAt(pod, 7, longName, false));
    assertThat(patch.at("/metadata/labels").isMissingNode()).isTrue();
    assertThat(patch.at("/metadata/annotations").get(RolloutKeys.ROLLOUT).asText())
        .isEqualTo(longName);
  }

  @Test
  void aReleaseRemovesTheClaimTheRevisionAndTheBaselineConditionally() throws Exception {
    Pod pod =
        annotated(
            pod("p", "n"),
            RolloutKeys.REVISION,
            "2",
            RolloutKeys.ROLLOUT,
            "r",
            RolloutKeys.RESTARTS_AT_MOVE,
            "0",
            "other.io/keep",
            "x");
    pod.getMetadata().getLabels().put(RolloutKeys.ROLLOUT, "r");
    pod.getMetadata().setResourceVersion("9");
    JsonNode patch = JSON.readTree(PodPatch.release(pod));
    assertThat(patch.at("/metadata/resourceVersion").asText()).isEqualTo("9");
    JsonNode a = patch.at("/metadata/annotations");
    assertThat(a.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            RolloutKeys.REVISION, RolloutKeys.ROLLOUT, RolloutKeys.RESTARTS_AT_MOVE);
    assertThat(a.get(RolloutKeys.REVISION).isNull()).isTrue();
    assertThat(patch.at("/metadata/labels").get(RolloutKeys.ROLLOUT).isNull()).isTrue();
  }

  @Test
  void aMoveBackLeavesTheBaselineAlone() throws Exception {
    Pod pod = pod("p", "n");
    pod.getMetadata().setResourceVersion("5");
    JsonNode a = JSON.readTree(PodPatch.pointAt(pod, 6, "r", false)).at("/metadata/annotations");
    assertThat(a.fieldNames())
        .toIterable()
        .containsExactly(RolloutKeys.REVISION, RolloutKeys.ROLLOUT);
  }

  @Test
  void thereIsNoUnconditionalPatch() {
    assertThatThrownBy(() -> PodPatch.pointAt(pod("p", "n"), 1, "r", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resourceVersion");
  }

  @Test
  void theExpectationHoldsOnlyWhileTheAnnotationsAreUnchanged() {
    Pod seen = annotated(pod("p", "n"), RolloutKeys.REVISION, "6", RolloutKeys.ROLLOUT, "r");
    seen.getMetadata().setResourceVersion("1");
    PodPatch.Expectation expected = PodPatch.Expectation.of(seen);

    Pod statusChurn = withReady(seen, false);
    statusChurn.getMetadata().setResourceVersion("2");
    assertThat(expected.holds(statusChurn)).isTrue();

    Pod movedByOther = annotated(seen, RolloutKeys.REVISION, "8");
    assertThat(expected.holds(movedByOther)).isFalse();
    Pod claimedByOther = annotated(seen, RolloutKeys.ROLLOUT, "other");
    assertThat(expected.holds(claimedByOther)).isFalse();
    assertThat(PodPatch.Expectation.of(pod("q", "n")).describe())
        .isEqualTo("revision none, rollout none");
  }
}
