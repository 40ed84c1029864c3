package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.policy.PolicyRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

/** One adapter from a policy object to the engine's ref and version, for every reader. */
class PolicyResourcesTest {
  @Test
  void aConfigPolicyIsInItsNamespaceAClusterConfigPolicyIsClusterWide() {
    ConfigPolicy namespaced = new ConfigPolicy();
    namespaced.setMetadata(new ObjectMetaBuilder().withNamespace("edge").withName("p").build());
    ClusterConfigPolicy cluster = new ClusterConfigPolicy();
    cluster.setMetadata(new ObjectMetaBuilder().withName("c").build());

    assertThat(PolicyResources.ref(namespaced)).isEqualTo(PolicyRef.namespaced("edge", "p"));
    assertThat(PolicyResources.ref(cluster)).isEqualTo(PolicyRef.cluster("c"));
  }

  @Test
  void theVersionIsTheUidAndGenerationOrElseTheResourceVersion() {
    ConfigPolicy policy = new ConfigPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("edge")
            .withName("p")
            .withUid("u1")
            .withGeneration(3L)
            .withResourceVersion("42")
            .build());
    assertThat(PolicyResources.version(policy)).isEqualTo("u1/g3");
    policy.getMetadata().setResourceVersion("43");
    assertThat(PolicyResources.version(policy)).as("a status write").isEqualTo("u1/g3");
    policy.getMetadata().setGeneration(null);
    assertThat(PolicyResources.version(policy)).isEqualTo("u1/rv43");
  }
}
