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
    assertThat(patch.get("metadata").size()).isEqualTo(2);
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
