package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.ConfigPolicy;
import io.configguard.discovery.DiscoveredResources;
import io.configguard.testing.MockCluster;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.MatchConditionsCel.Request;
import io.configguard.webhookconfig.WebhookSync.Outcome;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook configuration follows the policies, against the Fabric8 CRUD mock API server. */
public class WebhookSyncIT {
  static final String OWN = WebhookRulesTest.OWN;
  static MockCluster cluster;
  static KubernetesClient client;

  @TempDir Path tmp;

  @BeforeAll
  static void startCluster() {
    cluster =
        new MockCluster()
            .withPolicyCrds()
            .crd(Path.of("src/test/resources/lifecycle/routes.example.com.yaml"))
            .crd(Path.of("crds/configfreezes.configguard.io-v1.yml"));
    client = cluster.client;
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void emptyCluster() {
    cluster.kubernetesVersion(null);
    cluster.dropFields(null, null);
    client.resources(ConfigPolicy.class).inAnyNamespace().delete();
    client.resources(ClusterConfigPolicy.class).delete();
    client.admissionRegistration().v1().validatingWebhookConfigurations().delete();
    cluster.clearRequests();
  }

  static WebhookSettings settings(
      Optional<String> url, Optional<Path> ca, Optional<String> owner, Duration debounce) {
    return new WebhookSettings(
        "configguard",
        5,
        "Fail",
        "configguard-system",
        List.of("team-z"),
        "configguard",
        "configguard-system",
        443,
        "/validate",
        url,
        ca,
        owner,
        debounce,
        Duration.ofHours(1),
        true,
        true);
  }

  /** A CA bundle file: without one nothing is written. */
  public static Path caFile() {
    try {
      Path ca = Files.createTempFile("configguard-ca", ".crt");
      Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      ca.toFile().deleteOnExit();
      return ca;
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static WebhookSync sync(WebhookSettings settings) {
    return new WebhookSync(
        client,
        settings,
        new DiscoveredResources(client, Duration.ofMinutes(1)),
        List.of(new PolicyNeeds(client, Policies.COMPILER)));
  }

  static WebhookSync sync() {
    return sync(settings(Optional.empty(), Optional.of(caFile()), Optional.empty(), Duration.ZERO));
  }

  static ValidatingWebhookConfiguration stored() {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName("configguard")
        .get();
  }

  static List<String> storedRules() {
    return stored().getWebhooks().get(0).getRules().stream().map(WebhookRulesTest::line).toList();
  }

  static long writes() {
    return cluster.count(
        r ->
            (r.startsWith("PUT ") || r.startsWith("POST ") || r.startsWith("PATCH "))
                && r.contains("/validatingwebhookconfigurations"));
  }

  @Test
  void rulesFollowPoliciesAddedChangedAndDeleted() {
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      assertThat(storedRules()).containsExactly(OWN);

      client
          .resource(
              Policies.cluster(
                  "bot-features",
                  "{match: {names: ['bot-features*']}, rules: [{name: size, maxKeys: 16}]}"))
          .create();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules()).containsExactly("|*|CREATE,UPDATE|configmaps", OWN);

      client
          .resource(
              Policies.namespaced(
                  "edge",
                  "routes",
                  "{match: {resources: [{apiGroups: [example.com], kinds: [EdgeRoute]}]},"
                      + " rules: [{name: hosts, unique: {path: '$.spec.routes[*].host'}}]}"))
          .create();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules())
          .containsExactly(
              "|*|CREATE,UPDATE|configmaps", OWN, "example.com|*|CREATE,UPDATE|edgeroutes");

      client
          .resources(ClusterConfigPolicy.class)
          .withName("bot-features")
          .edit(
              p -> {
                p.setSpec(
                    Policies.spec(
                        "{match: {operations: [CREATE, UPDATE, DELETE]},"
                            + " rules: [{name: size, maxKeys: 16}]}"));
                return p;
              });
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules())
          .containsExactly(
              "|*|CREATE,DELETE,UPDATE|configmaps", OWN, "example.com|*|CREATE,UPDATE|edgeroutes");

      // A policy that does not compile is not enforced, so it adds nothing.
      client
          .resource(
              Policies.cluster(
                  "broken",
                  "{match: {resources: [{apiGroups: [''], kinds: [Secret]}]},"
                      + " rules: [{name: c, cel: 'object.nope('}]}"))
          .create();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);

      client.resources(ConfigPolicy.class).inNamespace("edge").withName("routes").delete();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules()).containsExactly("|*|CREATE,DELETE,UPDATE|configmaps", OWN);

      client.resources(ClusterConfigPolicy.class).withName("bot-features").delete();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules()).containsExactly(OWN);
    }
  }

  @Test
  void aFreezeThatDeniesWritesAddsDeleteOfItsKinds() throws Exception {
    try (WebhookSync sync =
        new WebhookSync(
            client,
            settings(Optional.empty(), Optional.of(caFile()), Optional.empty(), Duration.ZERO),
            new DiscoveredResources(client, Duration.ofMinutes(1)),
            List.of(new PolicyNeeds(client, Policies.COMPILER), new FreezeNeeds(client)))) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      assertThat(storedRules()).containsExactly(OWN);

      ConfigFreeze rolloutsOnly = new ConfigFreeze();
      rolloutsOnly.setMetadata(new ObjectMetaBuilder().withName("rollouts-only").build());
      rolloutsOnly.setSpec(new ConfigFreezeSpec());
      client.resource(rolloutsOnly).create();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);

      ConfigFreeze writes = new ConfigFreeze();
      writes.setMetadata(new ObjectMetaBuilder().withName("holiday").build());
      writes.setSpec(new ConfigFreezeSpec());
      writes.getSpec().denyWrites = true;
      writes.getSpec().reason = "peak traffic";
      client.resource(writes).create();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules()).containsExactly("|*|CREATE,DELETE,UPDATE|configmaps", OWN);

      client.resources(ConfigFreeze.class).withName("holiday").delete();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(storedRules()).containsExactly(OWN);
      client.resources(ConfigFreeze.class).withName("rollouts-only").delete();
    }
  }

  @Test
  void nothingIsWrittenWhenNothingChanged() {
    client.resource(Policies.cluster("p", "{rules: [{name: size, maxKeys: 16}]}")).create();
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      cluster.clearRequests();
      for (int i = 0; i < 3; i++) {
        assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);
      }
      assertThat(writes()).isZero();
      assertThat(sync.writes()).isEqualTo(1);
    }
  }

  @Test
  void serviceModeWithExclusionsCaBundleAndOwner() throws Exception {
    var role =
        client
            .rbac()
            .clusterRoles()
            .resource(
                new ClusterRoleBuilder()
                    .withNewMetadata()
                    .withName("configguard")
                    .endMetadata()
                    .build())
            .create();
    Path ca = tmp.resolve("ca.crt");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    try (WebhookSync sync =
        sync(
            settings(
                Optional.empty(), Optional.of(ca), Optional.of("configguard"), Duration.ZERO))) {
      sync.syncNow();
    } finally {
      client.resource(role).delete();
    }
    var vwc = stored();
    var webhook = vwc.getWebhooks().get(0);
    assertThat(webhook.getClientConfig().getService().getNamespace())
        .isEqualTo("configguard-system");
    assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/validate");
    assertThat(webhook.getClientConfig().getUrl()).isNull();
    assertThat(Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()))
        .isEqualTo(Files.readAllBytes(ca));
    assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly("configguard-system", "kube-system", "team-z");
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
    assertThat(vwc.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("ClusterRole");
              assertThat(o.getName()).isEqualTo("configguard");
              assertThat(o.getUid()).isEqualTo(role.getMetadata().getUid());
            });
  }

  @Test
  void urlModeForALaptop() {
    try (WebhookSync sync =
        sync(
            settings(
                Optional.of("https://192.168.1.20:8443/validate"),
                Optional.of(caFile()),
                Optional.empty(),
                Duration.ZERO))) {
      sync.syncNow();
    }
    var config = stored().getWebhooks().get(0).getClientConfig();
    assertThat(config.getUrl()).isEqualTo("https://192.168.1.20:8443/validate");
    assertThat(config.getService()).isNull();
  }

  @Test
  void anOwnerThatDoesNotExistLeavesNoDanglingReference() {
    try (WebhookSync sync =
        sync(
            settings(
                Optional.empty(), Optional.of(caFile()), Optional.of("gone"), Duration.ZERO))) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
    }
    assertThat(stored().getMetadata().getOwnerReferences()).isEmpty();
  }

  @Test
  void aConflictIsRetriedOnAFreshRead() {
    try (WebhookSync sync = sync()) {
      sync.syncNow();
      client.resource(Policies.cluster("p", "{rules: [{name: size, maxKeys: 16}]}")).create();
      cluster.failNext(
          r -> r.startsWith("PUT ") && r.contains("validatingwebhookconfigurations"), 409);
      cluster.clearRequests();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(
              cluster.count(
                  r ->
                      r.startsWith("GET ")
                          && r.endsWith("validatingwebhookconfigurations/configguard")))
          .isEqualTo(2);
      assertThat(storedRules()).containsExactly("|*|CREATE,UPDATE|configmaps", OWN);
    }
  }

  @Test
  void aStaleWriteIsRejectedByTheServerNotApplied() {
    try (WebhookSync sync = sync()) {
      sync.syncNow();
      var stale = stored();
      // Someone else writes in between: the operator's next write must be conditional on it.
      client
          .admissionRegistration()
          .v1()
          .validatingWebhookConfigurations()
          .withName("configguard")
          .edit(
              v -> {
                v.getWebhooks().get(0).setTimeoutSeconds(29);
                return v;
              });
      assertThatThrownBy(
              () ->
                  client
                      .admissionRegistration()
                      .v1()
                      .validatingWebhookConfigurations()
                      .resource(stale)
                      .update())
          .hasMessageContaining("409");
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      assertThat(stored().getWebhooks().get(0).getTimeoutSeconds()).isEqualTo(5);
    }
  }

  @Test
  void aBurstOfRequestsIsOneWrite() {
    try (WebhookSync sync =
        sync(
            settings(
                Optional.empty(),
                Optional.of(caFile()),
                Optional.empty(),
                Duration.ofMillis(200)))) {
      sync.syncNow();
      client.resource(Policies.cluster("p", "{rules: [{name: size, maxKeys: 16}]}")).create();
      cluster.clearRequests();
      for (int i = 0; i < 20; i++) {
        sync.request();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> sync.writes() == 2);
      await()
          .during(Duration.ofMillis(400))
          .atMost(Duration.ofSeconds(2))
          .until(() -> writes() == 1);
      assertThat(storedRules()).containsExactly("|*|CREATE,UPDATE|configmaps", OWN);
    }
  }

  @Test
  void withoutItsCaBundleNothingIsWritten() {
    try (WebhookSync sync =
        sync(
            settings(
                Optional.empty(),
                Optional.of(tmp.resolve("missing.crt")),
                Optional.empty(),
                Duration.ZERO))) {
      assertThatThrownBy(sync::syncNow)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("configguard.tls.ca-file");
    }
    assertThat(stored()).isNull();
    assertThat(writes()).isZero();
  }

  static ValidatingWebhook storedWebhook(String name) {
    return WebhookConfigurations.webhook(stored(), name);
  }

  @Test
  void matchConditionsRoundTripAndKeepUnrelatedWritesAwayFromConfigguard() {
    client
        .resource(
            Policies.cluster(
                "bot-features",
                "{match: {names: ['bot-features*']}, rules: [{name: size, maxKeys: 16}]}"))
        .create();
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      // Read back from the server: what the API server would evaluate.
      List<MatchCondition> stored =
          storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getMatchConditions();
      assertThat(stored)
          .extracting(MatchCondition::getName)
          .containsExactly(WebhookMatchConditions.GUARDED, WebhookMatchConditions.NOT_A_TRACK);
      Request unrelated = Request.of("CREATE", "ConfigMap", "edge", "unrelated");
      Request guarded = Request.of("UPDATE", "ConfigMap", "edge", "bot-features");
      assertThat(MatchConditionsCel.sent(stored, unrelated)).isFalse();
      assertThat(MatchConditionsCel.sent(stored, guarded)).isTrue();
      // Unchanged policies: the read-back compares equal, nothing is written again.
      cluster.clearRequests();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);
      assertThat(writes()).isZero();

      client.resources(ClusterConfigPolicy.class).withName("bot-features").delete();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UPDATED);
      stored = storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getMatchConditions();
      assertThat(MatchConditionsCel.sent(stored, guarded)).isFalse();
    }
  }

  @Test
  void theTracksWebhookIsThereWithoutAnyPolicy() {
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
    }
    assertThat(WebhookConfigurations.sendsRolloutTracks(stored())).isTrue();
    ValidatingWebhook tracks = storedWebhook(WebhookConfigurations.TRACKS_WEBHOOK_NAME);
    assertThat(tracks.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("configmaps");
              assertThat(r.getOperations()).containsExactly("CREATE", "DELETE", "UPDATE");
            });
    assertThat(tracks.getNamespaceSelector())
        .isEqualTo(storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getNamespaceSelector());
  }

  @Test
  void anApiServerOlderThan127KeepsTodaysRules() {
    cluster.kubernetesVersion(26);
    client
        .resource(
            Policies.cluster("p", "{match: {names: [x]}, rules: [{name: size, maxKeys: 16}]}"))
        .create();
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      assertThat(storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getMatchConditions())
          .isNullOrEmpty();
      assertThat(storedRules()).containsExactly("|*|CREATE,UPDATE|configmaps", OWN);
      assertThat(WebhookConfigurations.sendsRolloutTracks(stored())).isTrue();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);
    }
  }

  @Test
  void aServerThatDropsMatchConditionsIsNoticedAndNotRewrittenForever() {
    cluster.kubernetesVersion(27);
    cluster.dropFields(r -> r.contains("validatingwebhookconfigurations"), "matchConditions");
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      assertThat(storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getMatchConditions())
          .isNullOrEmpty();
      cluster.clearRequests();
      for (int i = 0; i < 3; i++) {
        assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);
      }
      assertThat(writes()).isZero();
    }
  }

  @Test
  void aServerThatRefusesMatchConditionsGetsTodaysRules() {
    cluster.failNext(
        r -> r.startsWith("POST ") && r.contains("validatingwebhookconfigurations"),
        422,
        "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"configguard\" is invalid:"
            + " webhooks[0].matchConditions[0].expression: Invalid value");
    try (WebhookSync sync = sync()) {
      assertThat(sync.syncNow()).isEqualTo(Outcome.CREATED);
      assertThat(storedWebhook(WebhookConfigurations.WEBHOOK_NAME).getMatchConditions())
          .isNullOrEmpty();
      assertThat(sync.syncNow()).isEqualTo(Outcome.UNCHANGED);
    }
  }

  @Test
  void outOfClusterWithoutAUrlNothingIsReadOrWritten() {
    WebhookSettings laptop =
        new WebhookSettings(
            "configguard",
            5,
            "Fail",
            "configguard",
            List.of(),
            "configguard",
            "configguard",
            443,
            "/validate",
            Optional.empty(),
            Optional.of(caFile()),
            Optional.empty(),
            Duration.ZERO,
            Duration.ofHours(1),
            true,
            false);
    try (WebhookSync sync = sync(laptop)) {
      sync.start();
      assertThat(sync.syncNow()).isEqualTo(Outcome.NOT_MANAGED);
    }
    assertThat(stored()).isNull();
    assertThat(writes()).isZero();
  }

  @Test
  void switchedOffOrWithoutACaNothingIsWritten() {
    WebhookSettings off =
        new WebhookSettings(
            "configguard",
            5,
            "Fail",
            "configguard",
            List.of(),
            "configguard",
            "configguard",
            443,
            "/validate",
            Optional.empty(),
            Optional.of(caFile()),
            Optional.empty(),
            Duration.ZERO,
            Duration.ofHours(1),
            false,
            true);
    WebhookSettings noCa =
        new WebhookSettings(
            "configguard",
            5,
            "Fail",
            "configguard",
            List.of(),
            "configguard",
            "configguard",
            443,
            "/validate",
            Optional.of("https://10.0.0.5:8443/validate"),
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO,
            Duration.ofHours(1),
            true,
            false);
    for (WebhookSettings settings : List.of(off, noCa)) {
      try (WebhookSync sync = sync(settings)) {
        assertThat(sync.syncNow()).isEqualTo(Outcome.NOT_MANAGED);
      }
    }
    assertThat(stored()).isNull();
    assertThat(writes()).isZero();
  }
}
