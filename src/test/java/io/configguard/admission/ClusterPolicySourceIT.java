package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster policy source against the Fabric8 CRUD mock API server: policies created, updated and
 * deleted through the API reach the webhook's decisions within a second.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterPolicySourceIT {
  static final Duration WITHIN = Duration.ofSeconds(1);
  static KubernetesClient client;

  AdmissionMetrics metrics;
  PolicyIndex index;
  ClusterPolicySource source;
  AdmissionHandler handler;

  @BeforeEach
  void start() throws Exception {
    for (String crd : List.of("configpolicies", "clusterconfigpolicies")) {
      try (InputStream in = Files.newInputStream(Path.of("crds", crd + ".configguard.io-v1.yml"))) {
        client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
    client.namespaces().resource(namespace("edge", "tier", "edge")).create();
    metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    index = new PolicyIndex(compiler, metrics);
    source = new ClusterPolicySource(client, index);
    handler = new AdmissionHandler(index, source, compiler, metrics);
    assertThat(index.isLoaded()).isFalse();
    source.start().get(10, TimeUnit.SECONDS);
    assertThat(index.isLoaded()).isTrue();
  }

  @AfterEach
  void stop() {
    source.close();
    client.resources(ClusterConfigPolicy.class).delete();
    client.resources(ConfigPolicy.class).inAnyNamespace().delete();
    client.namespaces().delete();
    client.apiextensions().v1().customResourceDefinitions().delete();
  }

  static io.fabric8.kubernetes.api.model.Namespace namespace(String name, String k, String v) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(k, v)
        .endMetadata()
        .build();
  }

  static ClusterConfigPolicy clusterPolicy(String name, String yamlSpec) {
    ClusterConfigPolicy policy = new ClusterConfigPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    policy.setSpec(Serialization.unmarshal(yamlSpec, io.configguard.api.PolicySpec.class));
    return policy;
  }

  AdmissionResponse create() throws Exception {
    return handler.handle(Review.parse(ReviewTest.fixture("01-configmap-create-edge-routes.json")));
  }

  @Test
  void aPolicyIsEnforcedWithinASecondOfEachChange() throws Exception {
    assertThat(create().getAllowed()).isTrue();

    client
        .resource(
            clusterPolicy(
                "routes",
                "rules: [{name: few, key: routes.yaml, format: yaml, maxItems: {path: $.routes, max: 10}}]"))
        .create();
    await().atMost(WITHIN).until(() -> !create().getAllowed());
    assertThat(create().getStatus().getMessage())
        .isEqualTo("routes/few: routes.yaml: 12 items at $.routes exceeds maxItems 10");

    client
        .resources(ClusterConfigPolicy.class)
        .withName("routes")
        .edit(
            p ->
                clusterPolicy(
                    "routes",
                    "rules: [{name: fewer, key: routes.yaml, format: yaml, maxItems: {path: $.routes, max: 5}}]"));
    await()
        .atMost(WITHIN)
        .until(
            () ->
                create().getStatus() != null
                    && create().getStatus().getMessage().startsWith("routes/fewer:"));

    client.resources(ClusterConfigPolicy.class).withName("routes").delete();
    await().atMost(WITHIN).until(() -> create().getAllowed());
  }

  @Test
  void aNamespacedPolicyAppliesInItsOwnNamespaceOnly() throws Exception {
    ConfigPolicy elsewhere = new ConfigPolicy();
    elsewhere.setMetadata(new ObjectMetaBuilder().withName("keys").withNamespace("other").build());
    elsewhere.setSpec(
        Serialization.unmarshal(
            "rules: [{name: one, maxKeys: 1}]", io.configguard.api.PolicySpec.class));
    client.namespaces().resource(namespace("other", "tier", "back")).create();
    client.resource(elsewhere).create();
    ConfigPolicy here = new ConfigPolicy();
    here.setMetadata(new ObjectMetaBuilder().withName("keys").withNamespace("edge").build());
    here.setSpec(elsewhere.getSpec());

    await().atMost(WITHIN).until(() -> index.current().size() == 1);
    assertThat(create().getAllowed()).isTrue();
    client.resource(here).create();
    await().atMost(WITHIN).until(() -> !create().getAllowed());
    assertThat(create().getStatus().getMessage()).startsWith("edge/keys/one: ");
  }

  @Test
  void aNamespaceSelectorSeesNamespaceLabels() throws Exception {
    client
        .resource(
            clusterPolicy(
                "back-only",
                "match: {namespaceSelector: {matchLabels: {tier: back}}}\nrules: [{name: one, maxKeys: 1}]"))
        .create();
    await().atMost(WITHIN).until(() -> index.current().size() == 1);
    assertThat(create().getAllowed()).isTrue();

    client.namespaces().withName("edge").edit(ns -> namespace("edge", "tier", "back"));
    await().atMost(WITHIN).until(() -> !create().getAllowed());
  }

  @Test
  void aPolicyThatDoesNotCompileIsSkippedAndCounted() throws Exception {
    client
        .resource(clusterPolicy("broken", "rules: [{name: bad, cel: 'object.data.size( >'}]"))
        .create();
    client
        .resource(
            clusterPolicy(
                "routes",
                "rules: [{name: few, key: routes.yaml, format: yaml, maxItems: {path: $.routes, max: 10}}]"))
        .create();

    await().atMost(WITHIN).until(() -> !create().getAllowed());
    assertThat(index.rejected())
        .containsOnlyKeys(io.configguard.policy.PolicyRef.cluster("broken"));
    assertThat(index.rejected().values().iterator().next())
        .first()
        .asString()
        .startsWith("spec.rules[0].cel");
    assertThat(metrics.compileErrors()).isEqualTo(1);
    assertThat(create().getStatus().getMessage()).startsWith("routes/few: ");
  }

  @Test
  void aNamespaceTheInformerHasNotSeenIsReadFromTheApiServer() {
    client.namespaces().resource(namespace("fresh", "tier", "edge")).create();
    // A source whose informers have not listed anything yet: the cache misses every namespace.
    try (ClusterPolicySource cold = new ClusterPolicySource(client, index)) {
      assertThat(cold.apply("fresh"))
          .containsEntry("tier", "edge")
          .containsEntry("kubernetes.io/metadata.name", "fresh");
      assertThat(cold.apply("missing")).isEmpty();
      assertThat(cold.apply("")).isEmpty();
    }
  }

  @Test
  void aChangeToOnePolicyRecompilesThatOneAndAStatusWriteNone() throws Exception {
    for (int i = 0; i < 5; i++) {
      client
          .resource(clusterPolicy("keys-" + i, "rules: [{name: few, maxKeys: " + (10 + i) + "}]"))
          .create();
    }
    await().atMost(WITHIN).until(() -> index.current().size() == 5);
    long compiled = index.compiled().compilations();
    assertThat(compiled).isEqualTo(5);

    // Metadata and status writes keep the generation: nothing is compiled again.
    client
        .resources(ClusterConfigPolicy.class)
        .withName("keys-1")
        .edit(
            p -> {
              p.getMetadata().setLabels(java.util.Map.of("team", "edge"));
              return p;
            });
    ClusterConfigPolicy withStatus =
        client.resources(ClusterConfigPolicy.class).withName("keys-2").get();
    withStatus.setStatus(new io.configguard.api.PolicyStatus());
    withStatus.getStatus().observedGeneration = withStatus.getMetadata().getGeneration();
    client.resource(withStatus).updateStatus();
    await()
        .atMost(WITHIN)
        .until(
            () ->
                client
                        .resources(ClusterConfigPolicy.class)
                        .withName("keys-1")
                        .get()
                        .getMetadata()
                        .getLabels()
                    != null);
    // A spec change is compiled, once; the other four are not touched.
    client
        .resources(ClusterConfigPolicy.class)
        .withName("keys-3")
        .edit(
            p -> {
              p.getSpec().rules.get(0).maxKeys = 1L;
              return p;
            });
    await().atMost(WITHIN).until(() -> !create().getAllowed());
    assertThat(create().getStatus().getMessage()).startsWith("keys-3/few: ");
    assertThat(index.compiled().compilations()).isEqualTo(compiled + 1);
  }
}
