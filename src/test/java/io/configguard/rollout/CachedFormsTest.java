package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The forms the informers cache: exactly what configguard reads, nothing of the rest. */
class CachedFormsTest {
  static Pod fullPod() {
    return new PodBuilder(RolloutFixtures.pod("proxy-1", "node-2"))
        .editMetadata()
        .withResourceVersion("41")
        .withUid("u-1")
        .addToLabels("pod-template-hash", "7d9f")
        .addToAnnotations(RolloutKeys.ROLLOUT, "bot-features")
        .addToAnnotations(RolloutKeys.REVISION, "3")
        .addToAnnotations(RolloutKeys.RESTARTS_AT_MOVE, "1")
        .addToAnnotations(RolloutKeys.READY_AT_MOVE, "true")
        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{...}".repeat(500))
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").build())
        .withDeletionTimestamp("2026-12-01T05:00:00Z")
        .endMetadata()
        .editSpec()
        .editFirstContainer()
        .addNewEnv()
        .withName("MODE")
        .withValue("serve")
        .endEnv()
        .endContainer()
        .endSpec()
        .editStatus()
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("True")
        .endCondition()
        .editFirstContainerStatus()
        .withRestartCount(2)
        .withImage("busybox:1.36")
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aPodKeepsWhatTheRolloutReadsAndNothingElse() {
    Pod full = fullPod();
    Pod kept = CachedForms.pod(Serialization.clone(full));

    assertThat(kept.getMetadata().getName()).isEqualTo("proxy-1");
    assertThat(kept.getMetadata().getNamespace()).isEqualTo(RolloutFixtures.NS);
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("41");
    assertThat(kept.getMetadata().getLabels()).isEqualTo(full.getMetadata().getLabels());
    // The claim stays visible whatever the selectors say: every pod is cached with its claim.
    assertThat(kept.getMetadata().getAnnotations())
        .containsOnlyKeys(
            RolloutKeys.ROLLOUT,
            RolloutKeys.REVISION,
            RolloutKeys.RESTARTS_AT_MOVE,
            RolloutKeys.READY_AT_MOVE);
    assertThat(kept.getMetadata().getDeletionTimestamp()).isEqualTo("2026-12-01T05:00:00Z");
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getSpec().getNodeName()).isEqualTo("node-2");
    assertThat(kept.getSpec().getContainers()).isNullOrEmpty();
    assertThat(kept.getStatus().getPhase()).isEqualTo("Running");
    assertThat(kept.getStatus().getPodIP()).isEqualTo(full.getStatus().getPodIP());
    assertThat(kept.getStatus().getConditions())
        .extracting(c -> c.getType())
        .containsExactly("Ready");

    // What the rollout computes from a pod is the same on the cached form.
    assertThat(PodHealth.isReady(kept)).isTrue();
    assertThat(PodHealth.restarts(kept)).isEqualTo(2);
    assertThat(PodHealth.check(kept, 3, null, null))
        .isEqualTo(PodHealth.check(full, 3, null, null));
    assertThat(PodPatch.Expectation.of(kept)).isEqualTo(PodPatch.Expectation.of(full));
    assertThat(PodPatch.pointAt(kept, 4, "bot-features", true))
        .isEqualTo(PodPatch.pointAt(full, 4, "bot-features", true));

    // And it is a fraction of the full pod.
    assertThat(Serialization.asJson(kept).length())
        .isLessThan(Serialization.asJson(full).length() / 5);
  }

  @Test
  void aNotReadyPodStaysNotReady() {
    Pod pod = RolloutFixtures.withReady(RolloutFixtures.pod("p", "n"), false);
    assertThat(PodHealth.isReady(CachedForms.pod(pod))).isFalse();
    Pod bare = new PodBuilder().withNewMetadata().withName("b").endMetadata().build();
    assertThat(CachedForms.pod(bare).getStatus()).isNull();
    assertThat(PodHealth.isReady(CachedForms.pod(bare))).isFalse();
  }

  @Test
  void aNamespaceKeepsItsLabels() {
    Namespace full =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName("edge")
            .addToLabels("tier", "back")
            .addToAnnotations("big", "x".repeat(1000))
            .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build())
            .endMetadata()
            .build();
    Namespace kept = CachedForms.namespace(full);
    assertThat(kept.getMetadata().getName()).isEqualTo("edge");
    assertThat(kept.getMetadata().getLabels()).isEqualTo(Map.of("tier", "back"));
    assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
  }

  @Test
  void leanDropsOnlyManagedFields() {
    ConfigMap map =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("bot-features-stable")
            .addToLabels(RolloutKeys.ROLLOUT, "bot-features")
            .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build())
            .endMetadata()
            .addToData("features.json", "{}")
            .build();
    ConfigMap kept = CachedForms.lean(map);
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getData()).containsEntry("features.json", "{}");
    assertThat(kept.getMetadata().getLabels()).containsEntry(RolloutKeys.ROLLOUT, "bot-features");
  }

  @Test
  void sourceContentIsReadOncePerResourceVersionAndOnlyForSources() {
    SourceContents contents = new SourceContents();
    contents.retainWhile(id -> id.getName().startsWith("source"));
    AtomicInteger reads = new AtomicInteger();
    ResourceID id = new ResourceID("source-a", "team");
    String[] version = {"1"};
    java.util.function.Supplier<ConfigMap> api =
        () -> {
          reads.incrementAndGet();
          return new ConfigMapBuilder()
              .withNewMetadata()
              .withName("source-a")
              .withNamespace("team")
              .withResourceVersion(version[0])
              .endMetadata()
              .addToData("k", "v" + version[0])
              .build();
        };
    assertThat(contents.get(id, "1", api).orElseThrow().getData()).containsEntry("k", "v1");
    assertThat(contents.get(id, "1", api).orElseThrow().getData()).containsEntry("k", "v1");
    assertThat(reads).hasValue(1);
    version[0] = "2";
    assertThat(contents.get(id, "2", api).orElseThrow().getData()).containsEntry("k", "v2");
    assertThat(reads).hasValue(2);

    // A ConfigMap that is nobody's source is read but not kept.
    contents.get(new ResourceID("other", "team"), "5", api);
    assertThat(contents.size()).isEqualTo(1);
    // Gone from the API: gone from here.
    assertThat(contents.get(id, "3", () -> null)).isEmpty();
    assertThat(contents.size()).isZero();
  }
}
