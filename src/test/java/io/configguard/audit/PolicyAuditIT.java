package io.configguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.AuditFinding;
import io.configguard.api.AuditStatus;
import io.configguard.discovery.DiscoveredResources;
import io.configguard.policy.PolicyRef;
import io.configguard.testing.MockCluster;
import io.configguard.testing.Policies;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The background audit of one policy against existing objects in the mock API server. */
public class PolicyAuditIT {
  static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
  public static final String BOT_FEATURES =
      """
      {match: {names: ['bot-features*']},
       rules: [{name: features-file, key: features.json, format: json,
                maxItems: {path: '$.features', max: 200}, unique: {path: '$.features[*].name'}},
               {name: growth, key: features.json, maxGrowth: {path: '$.features', ratio: 1.5}}]}
      """;
  static MockCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void startCluster() {
    cluster =
        new MockCluster()
            .withPolicyCrds()
            .crd(Path.of("src/test/resources/lifecycle/routes.example.com.yaml"));
    client = cluster.client;
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void emptyCluster() {
    client.configMaps().inAnyNamespace().delete();
    client.namespaces().delete();
    client.genericKubernetesResources("example.com/v1", "EdgeRoute").inAnyNamespace().delete();
    cluster.clearRequests();
  }

  static PolicyAudit audit(int pageSize) {
    return new PolicyAudit(
        new ClusterObjectPages(client, pageSize),
        new DiscoveredResources(client, Duration.ofMinutes(1)),
        Set.of("kube-system", "configguard-system"),
        ns -> io.configguard.rollout.NamespaceLabels.read(client, ns),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static AuditStatus run(PolicyRef ref, String spec, int pageSize) {
    return audit(pageSize).run(Policies.compile(ref, spec), Policies.spec(spec));
  }

  static ConfigMap fixture(String resource, String namespace, String name) throws Exception {
    try (InputStream in = PolicyAuditIT.class.getResourceAsStream(resource)) {
      ConfigMap cm = Serialization.unmarshal(in, ConfigMap.class);
      cm.getMetadata().setNamespace(namespace);
      cm.getMetadata().setName(name);
      return cm;
    }
  }

  static void configMap(String namespace, String name, Map<String, String> labels, String... data) {
    var b =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withLabels(labels)
            .endMetadata();
    for (int i = 0; i < data.length; i++) {
      b.addToData("k" + i, data[i]);
    }
    client.resource(b.build()).create();
  }

  static long listCalls(String pathPart) {
    return cluster.count(r -> r.startsWith("GET ") && r.contains(pathPart) && r.contains("limit="));
  }

  @Test
  void findsAPreExistingViolatingConfigMapAndRecordsIt() throws Exception {
    client.resource(fixture("/cloudflare/features-60.yaml", "edge", "bot-features")).create();
    client
        .resource(fixture("/cloudflare/features-doubled.yaml", "edge", "bot-features-canary"))
        .create();
    configMap("edge", "unrelated", Map.of(), "whatever");

    AuditStatus audit = run(PolicyRef.cluster("bot-features"), BOT_FEATURES, 500);

    assertThat(audit.time).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(audit.objectsChecked).isEqualTo(2);
    // Every one of the 60 rows is there twice; the engine reports the first 20 and a summary.
    assertThat(audit.violationCount).isEqualTo(21);
    assertThat(audit.sample).extracting(f -> f.name).containsOnly("bot-features-canary");
    AuditFinding first = audit.sample.get(0);
    assertThat(first.namespace).isEqualTo("edge");
    assertThat(first.name).isEqualTo("bot-features-canary");
    assertThat(first.rule).isEqualTo("features-file");
    assertThat(first.message).contains("duplicate").contains("features.json");
    // Growth compares an object with itself during an audit: never a finding.
    assertThat(audit.sample).extracting(f -> f.rule).containsOnly("features-file");
    assertThat(audit.sample).hasSize(PolicyAudit.SAMPLE);
  }

  @Test
  void listsPageByPageWithTheConfiguredLimit() {
    for (int i = 0; i < 5; i++) {
      configMap("team-a", "cm-" + i, Map.of(), "x".repeat(10));
    }
    AuditStatus audit =
        run(PolicyRef.cluster("small"), "{rules: [{name: size, maxTotalBytes: 5}]}", 2);
    assertThat(audit.objectsChecked).isEqualTo(5);
    assertThat(audit.violationCount).isEqualTo(5);
    assertThat(cluster.requests())
        .filteredOn(r -> r.startsWith("GET ") && r.contains("/configmaps"))
        .hasSize(3)
        .allSatisfy(r -> assertThat(r).startsWith("GET /api/v1/configmaps?").contains("limit=2"));
  }

  @Test
  void namespacesTheWebhookNeverSeesAreNotAudited() {
    configMap("kube-system", "coredns", Map.of(), "x".repeat(10));
    configMap("configguard-system", "own", Map.of(), "x".repeat(10));
    configMap("team-a", "app", Map.of(), "x".repeat(10));
    AuditStatus audit =
        run(PolicyRef.cluster("small"), "{rules: [{name: size, maxTotalBytes: 5}]}", 500);
    assertThat(audit.objectsChecked).isEqualTo(1);
    assertThat(audit.sample).extracting(f -> f.namespace).containsExactly("team-a");
  }

  @Test
  void aConfigPolicyListsOnlyItsOwnNamespace() {
    configMap("team-a", "mine", Map.of(), "x".repeat(10));
    configMap("team-b", "theirs", Map.of(), "x".repeat(10));
    AuditStatus audit =
        run(
            PolicyRef.namespaced("team-a", "small"),
            "{rules: [{name: size, maxTotalBytes: 5}]}",
            500);
    assertThat(audit.objectsChecked).isEqualTo(1);
    assertThat(audit.sample).extracting(f -> f.name).containsExactly("mine");
    assertThat(cluster.requests())
        .filteredOn(r -> r.startsWith("GET ") && r.contains("configmaps"))
        .singleElement()
        .satisfies(r -> assertThat(r).startsWith("GET /api/v1/namespaces/team-a/configmaps?"));
  }

  @Test
  void theObjectSelectorIsAppliedByTheServer() {
    configMap("team-a", "selected", Map.of("app", "bot"), "x".repeat(10));
    configMap("team-a", "other", Map.of("app", "web"), "x".repeat(10));
    AuditStatus audit =
        run(
            PolicyRef.cluster("small"),
            "{match: {objectSelector: {matchLabels: {app: bot}}}, rules: [{name: size, maxTotalBytes: 5}]}",
            500);
    assertThat(audit.objectsChecked).isEqualTo(1);
    assertThat(cluster.requests())
        .filteredOn(r -> r.startsWith("GET ") && r.contains("configmaps"))
        .singleElement()
        .satisfies(r -> assertThat(r).contains("labelSelector=app%3Dbot"));
  }

  @Test
  void theNamespaceSelectorReadsNamespaceLabels() {
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("edge-1")
                .addToLabels("tier", "edge")
                .endMetadata()
                .build())
        .create();
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("core-1")
                .addToLabels("tier", "core")
                .endMetadata()
                .build())
        .create();
    configMap("edge-1", "a", Map.of(), "x".repeat(10));
    configMap("core-1", "b", Map.of(), "x".repeat(10));
    AuditStatus audit =
        run(
            PolicyRef.cluster("edge-only"),
            "{match: {namespaceSelector: {matchLabels: {tier: edge}}}, rules: [{name: size, maxTotalBytes: 5}]}",
            500);
    assertThat(audit.objectsChecked).isEqualTo(1);
    assertThat(audit.sample).extracting(f -> f.namespace).containsExactly("edge-1");
  }

  @Test
  void theSampleIsBoundedButTheCountIsNot() {
    for (int i = 0; i < 25; i++) {
      configMap("team-a", "cm-" + i, Map.of(), "x".repeat(10));
    }
    AuditStatus audit =
        run(PolicyRef.cluster("small"), "{rules: [{name: size, maxTotalBytes: 5}]}", 7);
    assertThat(audit.violationCount).isEqualTo(25);
    assertThat(audit.sample).hasSize(20);
    assertThat(listCalls("/configmaps")).isEqualTo(4);
  }

  @ParameterizedTest(name = "operations {0}: audited as {1}")
  @CsvSource(
      delimiter = '|',
      value = {"'[CREATE, UPDATE]' | UPDATE | 1", "'[CREATE]' | CREATE | 1", "'[DELETE]' | - | 0"})
  void anExistingObjectIsAskedAsAnUnchangedUpdate(String operations, String asked, long checked) {
    configMap("team-a", "app", Map.of(), "v");
    String spec =
        "{match: {operations: "
            + operations
            + "}, rules: [{name: op, cel: \"request.operation == 'never'\", message: seen}]}";
    AuditStatus audit = run(PolicyRef.cluster("op"), spec, 500);
    assertThat(audit.objectsChecked).isEqualTo(checked);
    if (checked > 0) {
      String oldObject = asked.equals("UPDATE") ? "oldObject == object" : "oldObject == null";
      String probe =
          "{match: {operations: "
              + operations
              + "}, rules: [{name: op, cel: \"request.operation == '"
              + asked
              + "' && "
              + oldObject
              + "\"}]}";
      assertThat(run(PolicyRef.cluster("probe"), probe, 500).violationCount).isZero();
    }
  }

  @Test
  void auditsCustomResourcesThroughDiscovery() {
    GenericKubernetesResource route =
        Serialization.unmarshal(
            """
            {"apiVersion": "example.com/v1", "kind": "EdgeRoute",
             "metadata": {"name": "public", "namespace": "edge"},
             "spec": {"routes": [{"host": "a.example.com", "backend": "a"},
                                 {"host": "b.example.com", "backend": "b"},
                                 {"host": "a.example.com", "backend": "c"}]}}
            """,
            GenericKubernetesResource.class);
    client.resource(route).create();
    String spec =
        """
        {match: {resources: [{apiGroups: [example.com], kinds: [EdgeRoute]}]},
         rules: [{name: hosts, unique: {path: '$.spec.routes[*].host'}},
                 {name: length, maxItems: {path: '$.spec.routes', max: 2}}]}
        """;
    AuditStatus audit = run(PolicyRef.cluster("routes"), spec, 500);
    assertThat(audit.objectsChecked).isEqualTo(1);
    assertThat(audit.sample).extracting(f -> f.rule).containsExactlyInAnyOrder("hosts", "length");
    assertThat(audit.sample)
        .filteredOn(f -> f.rule.equals("hosts"))
        .singleElement()
        .satisfies(f -> assertThat(f.message).contains("a.example.com"));
    // The preferred version only: listing v1beta1 too would count every route twice.
    assertThat(listCalls("/edgeroutes")).isEqualTo(1);
    assertThat(cluster.requests())
        .anyMatch(r -> r.startsWith("GET /apis/example.com/v1/edgeroutes?"));
  }

  @Test
  void aKindTheClusterDoesNotServeIsNothingToAudit() {
    AuditStatus audit =
        run(
            PolicyRef.cluster("future"),
            "{match: {resources: [{apiGroups: [flags.example.com], kinds: [FeatureFlag]}]},"
                + " rules: [{name: n, maxTotalBytes: 5}]}",
            500);
    assertThat(audit.objectsChecked).isZero();
    assertThat(audit.sample).isEmpty();
  }
}
