package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order in which pods move to a candidate: deterministic, Ready pods first, and round-robin
 * across nodes so that the first batches land on as many different nodes as possible.
 */
final class PodOrder {
  private PodOrder() {}

  public static List<Pod> order(List<Pod> pods) {
    List<Pod> ready = new ArrayList<>();
    List<Pod> notReady = new ArrayList<>();
    for (Pod pod : pods) {
      (PodHealth.isReady(pod) ? ready : notReady).add(pod);
    }
    List<Pod> ordered = new ArrayList<>(pods.size());
    ordered.addAll(spread(ready));
    ordered.addAll(spread(notReady));
    return ordered;
  }

  private static List<Pod> spread(List<Pod> pods) {
    Map<String, List<Pod>> byNode = new TreeMap<>();
    for (Pod pod : pods) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      byNode.computeIfAbsent(node == null ? "" : node, n -> new ArrayList<>()).add(pod);
    }
    Comparator<Pod> byName = Comparator.comparing(p -> p.getMetadata().getName());
    byNode.values().forEach(list -> list.sort(byName));
    List<Pod> out = new ArrayList<>(pods.size());
    for (int round = 0; out.size() < pods.size(); round++) {
      for (List<Pod> onNode : byNode.values()) {
        if (round < onNode.size()) {
          out.add(onNode.get(round));
        }
      }
    }
    return out;
  }
}
