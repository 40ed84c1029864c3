package io.configguard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicyStatus;
import io.configguard.audit.Auditor;
import io.configguard.audit.PolicyAuditIT;
import io.configguard.testing.MockCluster;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.WebhookRulesTest;
import io.configguard.webhookconfig.WebhookSettings;
import io.configguard.webhookconfig.WebhookSyncIT;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy reconcilers under a plain JOSDK operator against the CRUD mock API server (with the
 * policy CRDs, so status is a subresource and spec changes bump the generation).
 */
class PolicyReconcilerIT {
  static final Duration AUDIT_INTERVAL = Duration.ofSeconds(1);
  static MockCluster cluster;
  static KubernetesClient client;
  static SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static PolicyLifecycle lifecycle;
  static Operator operator;

  @BeforeAll
  static void startOperator() throws Exception {
    cluster = new MockCluster().withPolicyCrds();
    client = cluster.client;
    // Already there before any policy: the audit must find it.
    client
        .resource(fixture("/cloudflare/features-doubled.yaml", "edge", "bot-features-canary"))
        .create();
    WebhookSettings webhook =
        new WebhookSettings(
            "configguard",
            5,
            "Fail",
            "configguard-system",
            List.of(),
            "configguard",
            "configguard-system",
            443,
            "/validate",
            Optional.empty(),
            Optional.of(WebhookSyncIT.caFile()),
            Optional.empty(),
            Duration.ofMillis(50),
            Duration.ofHours(1),
            true,
            true);
    lifecycle =
        PolicyLifecycle.create(
            client,
            webhook,
            new PolicyLifecycle.AuditSettings(AUDIT_INTERVAL, 100),
            registry,
            Clock.systemUTC());
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false));
    operator.register(new ConfigPolicyReconciler(lifecycle));
    operator.register(new ClusterConfigPolicyReconciler(lifecycle));
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
    lifecycle.close();
    cluster.close();
  }

  static ConfigMap fixture(String resource, String namespace, String name) throws Exception {
    try (InputStream in = PolicyReconcilerIT.class.getResourceAsStream(resource)) {
      ConfigMap cm = Serialization.unmarshal(in, ConfigMap.class);
      cm.getMetadata().setNamespace(namespace);
      cm.getMetadata().setName(name);
      return cm;
    }
  }

  static PolicyStatus clusterStatus(String name) {
    ClusterConfigPolicy p = client.resources(ClusterConfigPolicy.class).withName(name).get();
    return p == null ? null : p.getStatus();
  }

  static Condition condition(PolicyStatus status, String type) {
    return status == null || status.conditions == null
        ? null
        : status.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  static String state(PolicyStatus status, String type) {
    Condition c = condition(status, type);
    return c == null ? "absent" : c.getStatus() + "/" + c.getReason();
  }

  static <T> T eventually(Supplier<T> value, java.util.function.Predicate<T> until) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(value::get, until::test);
  }

  static Double gauge(String policy) {
    var g = registry.find(Auditor.GAUGE).tag("policy", policy).gauge();
    return g == null ? null : g.value();
  }

  static List<String> webhookRules() {
    var vwc =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("configguard")
            .get();
    return vwc == null
        ? List.of()
        : vwc.getWebhooks().get(0).getRules().stream().map(WebhookRulesTest::line).toList();
  }

  @Test
  void theWebhookConfigurationExistsBeforeAnyPolicy() {
    eventually(PolicyReconcilerIT::webhookRules, rules -> rules.contains(WebhookRulesTest.OWN));
  }

  @Test
  void aValidPolicyIsReadyAndItsAuditRecordsAPreExistingViolation() {
    client.resource(Policies.cluster("bot-features", PolicyAuditIT.BOT_FEATURES)).create();
    PolicyStatus status =
        eventually(() -> clusterStatus("bot-features"), s -> s != null && s.audit != null);
    assertThat(status.observedGeneration).isEqualTo(1);
    assertThat(status.conditions).hasSize(3);
    assertThat(state(status, "Ready")).isEqualTo("True/Compiled");
    assertThat(state(status, "Reconciling")).isEqualTo("False/Compiled");
    assertThat(state(status, "Stalled")).isEqualTo("False/Compiled");
    assertThat(status.audit.objectsChecked).isEqualTo(1);
    assertThat(status.audit.violationCount).isEqualTo(21);
    assertThat(status.audit.sample).hasSize(20);
    assertThat(status.audit.sample.get(0).namespace).isEqualTo("edge");
    assertThat(status.audit.sample.get(0).name).isEqualTo("bot-features-canary");
    assertThat(status.audit.sample.get(0).rule).isEqualTo("features-file");
    assertThat(gauge("bot-features")).isEqualTo(21.0);
    assertThat(
            client
                .resources(ClusterConfigPolicy.class)
                .withName("bot-features")
                .get()
                .getMetadata()
                .getFinalizers())
        .isEmpty();
  }

  @Test
  void aPolicyThatDoesNotCompileIsStalledUntilItIsFixed() {
    client
        .resource(
            Policies.cluster(
                "broken",
                "{rules: [{name: bad-cel, cel: 'object.data.size( > 0'},"
                    + " {name: negative, maxKeys: -1}]}"))
        .create();
    PolicyStatus broken = eventually(() -> clusterStatus("broken"), s -> s != null);
    assertThat(state(broken, "Ready")).isEqualTo("False/InvalidPolicy");
    assertThat(state(broken, "Stalled")).isEqualTo("True/InvalidPolicy");
    assertThat(state(broken, "Reconciling")).isEqualTo("False/InvalidPolicy");
    assertThat(condition(broken, "Ready").getMessage())
        .contains("spec.rules[0].cel")
        .contains("spec.rules[1].maxKeys");
    assertThat(broken.audit).isNull();
    assertThat(gauge("broken")).isNull();

    client
        .resources(ClusterConfigPolicy.class)
        .withName("broken")
        .edit(
            p -> {
              p.setSpec(
                  Policies.spec("{rules: [{name: not-empty, cel: 'size(object.data) > 0'}]}"));
              return p;
            });
    PolicyStatus fixed =
        eventually(
            () -> clusterStatus("broken"), s -> s.observedGeneration == 2 && s.audit != null);
    assertThat(fixed.conditions).hasSize(3);
    assertThat(state(fixed, "Ready")).isEqualTo("True/Compiled");
    assertThat(state(fixed, "Stalled")).isEqualTo("False/Compiled");
    assertThat(condition(fixed, "Ready").getObservedGeneration()).isEqualTo(2);
  }

  @Test
  void expiredExceptionsAreReportedIncludingOnesThatExpireLater() {
    String soon = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .resource(
            Policies.namespaced(
                "edge",
                "with-exceptions",
                "{rules: [{name: keys, maxKeys: 16}], exceptions: ["
                    + "{names: [legacy], reason: migration, expires: '2020-01-01T00:00:00Z'},"
                    + "{names: [canary], reason: experiment, expires: '"
                    + soon
                    + "'},"
                    + "{names: [other], reason: later, expires: '2999-01-01T00:00:00Z'}]}"))
        .create();
    Supplier<PolicyStatus> status =
        () -> {
          ConfigPolicy p =
              client
                  .resources(ConfigPolicy.class)
                  .inNamespace("edge")
                  .withName("with-exceptions")
                  .get();
          return p == null ? null : p.getStatus();
        };
    PolicyStatus first = eventually(status, s -> s != null && s.expiredExceptions != null);
    assertThat(first.expiredExceptions)
        .containsExactly("spec.exceptions[0]: expired 2020-01-01T00:00:00Z (migration)");
    // Nothing about the policy changes when the second one expires: the reconciler comes back.
    PolicyStatus later = eventually(status, s -> s.expiredExceptions.size() == 2);
    assertThat(later.expiredExceptions.get(1))
        .isEqualTo("spec.exceptions[1]: expired " + soon + " (experiment)");
  }

  @Test
  void theWebhookRulesFollowPoliciesAndTheirDeletion() {
    client
        .resource(
            Policies.cluster(
                "secrets",
                "{match: {resources: [{apiGroups: [''], kinds: [Secret]}], operations: [DELETE]},"
                    + " rules: [{name: n, cel: 'true'}]}"))
        .create();
    eventually(PolicyReconcilerIT::webhookRules, rules -> rules.contains("|*|DELETE|secrets"));
    eventually(() -> clusterStatus("secrets"), s -> s != null && s.audit != null);

    client.resources(ClusterConfigPolicy.class).withName("secrets").delete();
    eventually(PolicyReconcilerIT::webhookRules, rules -> !rules.contains("|*|DELETE|secrets"));
    eventually(() -> gauge("secrets") == null, gone -> gone);
  }

  @Test
  void theAuditRunsAgainOnItsOwn() {
    client
        .resource(Policies.namespaced("periodic", "keys", "{rules: [{name: keys, maxKeys: 1}]}"))
        .create();
    PolicyStatus first =
        eventually(
            () -> {
              ConfigPolicy p =
                  client
                      .resources(ConfigPolicy.class)
                      .inNamespace("periodic")
                      .withName("keys")
                      .get();
              return p == null ? null : p.getStatus();
            },
            s -> s != null && s.audit != null);
    assertThat(first.audit.violationCount).isZero();

    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("periodic")
                .withName("two-keys")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "2")
                .build())
        .create();
    PolicyStatus later =
        eventually(
            () ->
                client
                    .resources(ConfigPolicy.class)
                    .inNamespace("periodic")
                    .withName("keys")
                    .get()
                    .getStatus(),
            s -> s.audit.violationCount == 1);
    assertThat(later.observedGeneration).isEqualTo(1);
    assertThat(later.audit.sample.get(0).name).isEqualTo("two-keys");
  }
}
