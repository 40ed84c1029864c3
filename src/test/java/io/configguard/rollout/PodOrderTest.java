package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PodOrderTest {

  @Test
  void spreadsAcrossNodesRoundRobinAndIsDeterministic() {
    List<Pod> pods =
        new ArrayList<>(
            List.of(
                pod("a-1", "node-a"),
                pod("a-2", "node-a"),
                pod("a-3", "node-a"),
                pod("b-1", "node-b"),
                pod("b-2", "node-b"),
                pod("c-1", "node-c")));
    List<String> expected = List.of("a-1", "b-1", "c-1", "a-2", "b-2", "a-3");
    for (int seed = 0; seed < 5; seed++) {
      Collections.shuffle(pods, new Random(seed));
      assertThat(names(PodOrder.order(pods))).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void readyPodsGoFirstAndUnscheduledPodsCountAsOneNode() {
    List<Pod> pods =
        List.of(
            withReady(pod("a-1", "node-a"), false),
            pod("a-2", "node-a"),
            pod("b-1", "node-b"),
            pod("x-1", null),
            pod("x-2", null));
    assertThat(names(PodOrder.order(pods))).containsExactly("x-1", "a-2", "b-1", "x-2", "a-1");
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }
}
