package io.configguard.rollout;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.Selector;
import io.configguard.api.SourceRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;

/** Builds the Kubernetes objects rollout tests use: rollouts, consuming pods, sources. */
final class RolloutFixtures {
  static final String NS = "edge";

  private RolloutFixtures() {}

  static GuardedRollout rollout(String name, String source, int bakeSeconds, String... steps) {
    GuardedRollout rollout = new GuardedRollout();
    rollout.getMetadata().setName(name);
    rollout.getMetadata().setNamespace(NS);
    rollout.getMetadata().setGeneration(1L);
    rollout.getMetadata().setUid("uid-" + name);
    GuardedRolloutSpec spec = new GuardedRolloutSpec();
    spec.sourceRef = new SourceRef();
    spec.sourceRef.name = source;
    spec.selector = new Selector();
    spec.selector.matchLabels = Map.of("app", "edge-proxy");
    spec.strategy.bakeSeconds = bakeSeconds;
    if (steps.length > 0) {
      spec.strategy.steps = List.of(steps);
    }
    rollout.setSpec(spec);
    return rollout;
  }

  /** A running, Ready consuming pod with one container. */
  static Pod pod(String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("app", "edge-proxy")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("proxy")
        .withImage("busybox:1.36")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("10.0.0." + Math.abs(name.hashCode() % 250))
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .addNewContainerStatus()
        .withName("proxy")
        .withReady(true)
        .withRestartCount(0)
        .endContainerStatus()
        .endStatus()
        .build();
  }

  static Pod withReady(Pod pod, boolean ready) {
    Pod copy = new PodBuilder(pod).build();
    copy.getStatus().getConditions().get(0).setStatus(ready ? "True" : "False");
    return copy;
  }

  static Pod withRestarts(Pod pod, int restarts) {
    Pod copy = new PodBuilder(pod).build();
    copy.getStatus().getContainerStatuses().get(0).setRestartCount(restarts);
    return copy;
  }

  static Pod annotated(Pod pod, String... keyValues) {
    PodBuilder b = new PodBuilder(pod);
    for (int i = 0; i < keyValues.length; i += 2) {
      b.editMetadata().addToAnnotations(keyValues[i], keyValues[i + 1]).endMetadata();
    }
    return b.build();
  }

  static ConfigMap source(String name, String featuresJson) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .addToData("features.json", featuresJson)
        .build();
  }

  /** A features.json with {@code count} features named f0..f(count-1). */
  static String features(int count) {
    StringBuilder json = new StringBuilder("{\"features\":[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",").append("{\"name\":\"f").append(i).append("\"}");
    }
    return json.append("]}").toString();
  }
}
