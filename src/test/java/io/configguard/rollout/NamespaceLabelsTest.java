package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One namespace-labels function for webhook, audit and operator, with the name fallback. */
class NamespaceLabelsTest {
  static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  @Test
  void aNamespaceWithoutTheNameLabelGetsIt() {
    assertThat(NamespaceLabels.of("edge", namespace("edge", Map.of("tier", "edge"))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("tier", "edge", "kubernetes.io/metadata.name", "edge"));
    assertThat(NamespaceLabels.of("edge", namespace("edge", null)))
        .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "edge"));
  }

  @Test
  void theApiServersLabelIsKept() {
    assertThat(
            NamespaceLabels.of(
                "edge", namespace("edge", Map.of("kubernetes.io/metadata.name", "edge", "a", "b"))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("kubernetes.io/metadata.name", "edge", "a", "b"));
  }

  @Test
  void aMissingNamespaceOrNoneHasNoLabels() {
    assertThat(NamespaceLabels.of("gone", null)).isEmpty();
    assertThat(NamespaceLabels.of("", namespace("x", Map.of("a", "b")))).isEmpty();
    assertThat(NamespaceLabels.withName(null, Map.of("a", "b"))).isEmpty();
    assertThat(NamespaceLabels.withName("standalone", Map.of()))
        .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "standalone"));
  }
}
