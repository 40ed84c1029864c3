package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.configguard.discovery.KnownResources;
import io.configguard.policy.PolicyRef;
import io.configguard.testing.Policies;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Opt-in, against a real kube-apiserver (1.28+): the configuration configguard generates for a
 * {@code bot-features*} policy, pointing at a URL where nothing listens, with failurePolicy Fail.
 * The API server itself evaluates the matchConditions: {@code unrelated} is written, {@code
 * bot-features} is refused. Run with {@code CONFIGGUARD_REAL_KUBECONFIG=/path/to/kubeconfig}
 * (cluster-admin); skipped otherwise, so CI does not need a cluster. To leave other users of a
 * shared API server alone, both webhooks are narrowed to one namespace and the configuration has a
 * name of its own; everything else is as generated.
 */
@EnabledIfEnvironmentVariable(named = "CONFIGGUARD_REAL_KUBECONFIG", matches = ".+")
class RealApiServerMatchConditionsIT {
  static final String NS = "configguard-matchconditions";
  static final String NAME = "configguard-matchconditions-it";

  @Test
  void aDeadWebhookBlocksOnlyGuardedWrites() throws Exception {
    Path kubeconfig = Path.of(System.getenv("CONFIGGUARD_REAL_KUBECONFIG"));
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    // A refused write is a 500 ("failed calling webhook"): the client must not retry it.
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      if (client.namespaces().withName(NS).get() == null) {
        client
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
            .create();
      }
      clean(client);

      String spec = "{match: {names: ['bot-features*']}, rules: [{name: size, maxKeys: 16}]}";
      var need =
          WebhookRules.Need.of(
              Policies.compile(PolicyRef.cluster("bot-features"), spec), Policies.spec(spec));
      WebhookSettings settings =
          new WebhookSettings(
              NAME,
              5,
              "Fail",
              "configguard",
              List.of(),
              "configguard",
              "configguard",
              443,
              "/validate",
              Optional.of("https://127.0.0.1:1/validate"),
              Optional.empty(),
              Optional.empty(),
              Duration.ZERO,
              Duration.ofHours(1),
              true,
              false);
      List<MatchCondition> conditions = new ArrayList<>();
      conditions.add(WebhookMatchConditions.guard(List.of(need)).condition());
      conditions.add(WebhookMatchConditions.notATrack());
      String ca = Base64.getEncoder().encodeToString(selfSignedPem());
      ValidatingWebhookConfiguration desired =
          WebhookConfigurations.desired(
              settings, WebhookRules.of(List.of(need), new KnownResources()), conditions, ca, null);
      desired
          .getWebhooks()
          .forEach(
              w ->
                  w.setNamespaceSelector(
                      new LabelSelectorBuilder()
                          .withMatchLabels(Map.of(WebhookConfigurations.NAMESPACE_NAME_LABEL, NS))
                          .build()));
      Files.createDirectories(Path.of("target"));
      Files.writeString(
          Path.of("target/matchconditions-it-webhook.yaml"), Serialization.asYaml(desired));
      var configurations = client.admissionRegistration().v1().validatingWebhookConfigurations();
      configurations.withName(NAME).delete();
      // A rollout's track that exists before the configuration does.
      create(client, "track-stable", Map.of("configguard.io/rollout", "track"));
      try {
        ValidatingWebhookConfiguration stored = configurations.resource(desired).create();
        assertThat(WebhookConfigurations.droppedMatchConditions(desired, stored)).isFalse();

        // The API server picks the configuration up within about a second.
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  try {
                    create(client, "bot-features", Map.of());
                    // Not in effect yet: it was written; try again.
                    client.configMaps().inNamespace(NS).withName("bot-features").delete();
                    return false;
                  } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    return e.getMessage().contains("failed calling webhook");
                  }
                });
        assertThat(create(client, "unrelated", Map.of())).isNotNull();
        assertThatThrownBy(() -> create(client, "bot-features-eu", Map.of()))
            .hasMessageContaining("failed calling webhook \"validate.configguard.io\"");
        // A rollout's track: sent by the tracks webhook, whatever its name.
        assertThatThrownBy(
                () -> create(client, "other-stable", Map.of("configguard.io/rollout", "other")))
            .hasMessageContaining("failed calling webhook \"tracks.configguard.io\"");
        // Deleting a track, or labelling a ConfigMap as one: sent, so refused while down.
        assertThatThrownBy(
                () -> client.configMaps().inNamespace(NS).withName("track-stable").delete())
            .hasMessageContaining("failed calling webhook \"tracks.configguard.io\"");
        assertThatThrownBy(
                () ->
                    client
                        .configMaps()
                        .inNamespace(NS)
                        .withName("unrelated")
                        .edit(
                            c ->
                                new ConfigMapBuilder(c)
                                    .editMetadata()
                                    .addToLabels("configguard.io/rollout", "sneaky")
                                    .endMetadata()
                                    .build()))
            .hasMessageContaining("failed calling webhook \"tracks.configguard.io\"");
        // Updating and deleting what no policy guards: admitted.
        client
            .configMaps()
            .inNamespace(NS)
            .withName("unrelated")
            .edit(c -> new ConfigMapBuilder(c).addToData("k", "v2").build());
        client.configMaps().inNamespace(NS).withName("unrelated").delete();
        assertThat(client.configMaps().inNamespace(NS).withName("unrelated").get()).isNull();
      } finally {
        configurations.withName(NAME).delete();
        clean(client);
      }
    }
  }

  /**
   * The largest guard configguard writes (just under the length bound, every term a regex over
   * request.name, a label selector and a namespace) is accepted by the API server, which compiles
   * every expression and checks its cost when the configuration is written.
   */
  @Test
  void theLargestGuardIsAccepted() throws Exception {
    Path kubeconfig = Path.of(System.getenv("CONFIGGUARD_REAL_KUBECONFIG"));
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      List<WebhookRules.Need> needs = new ArrayList<>();
      WebhookMatchConditions.Guard guard = null;
      for (int i = 0; ; i++) {
        String spec =
            "{match: {names: ['app-?"
                + i
                + "-*-x', 'b?"
                + i
                + "'], objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values:"
                + " [a, b]}]}}, rules: [{name: size, maxKeys: 16}]}";
        needs.add(
            WebhookRules.Need.of(
                Policies.compile(PolicyRef.namespaced("team-" + i, "p"), spec),
                Policies.spec(spec)));
        WebhookMatchConditions.Guard next = WebhookMatchConditions.guard(needs);
        if (next.precision() != WebhookMatchConditions.Precision.EXACT) {
          break;
        }
        guard = next;
      }
      WebhookSettings settings =
          new WebhookSettings(
              NAME,
              5,
              "Fail",
              "configguard",
              List.of(),
              "configguard",
              "configguard",
              443,
              "/validate",
              Optional.of("https://127.0.0.1:1/validate"),
              Optional.empty(),
              Optional.empty(),
              Duration.ZERO,
              Duration.ofHours(1),
              true,
              false);
      ValidatingWebhookConfiguration desired =
          WebhookConfigurations.desired(
              settings,
              WebhookRules.of(needs, new KnownResources()),
              List.of(guard.condition(), WebhookMatchConditions.notATrack()),
              Base64.getEncoder().encodeToString(selfSignedPem()),
              null);
      // A namespace that does not exist: nothing is sent anywhere.
      desired
          .getWebhooks()
          .forEach(
              w ->
                  w.setNamespaceSelector(
                      new LabelSelectorBuilder()
                          .withMatchLabels(
                              Map.of(WebhookConfigurations.NAMESPACE_NAME_LABEL, "no-such-ns"))
                          .build()));
      var configurations = client.admissionRegistration().v1().validatingWebhookConfigurations();
      configurations.withName(NAME + "-large").delete();
      desired.getMetadata().setName(NAME + "-large");
      try {
        ValidatingWebhookConfiguration stored = configurations.resource(desired).create();
        assertThat(WebhookConfigurations.main(stored).getMatchConditions().get(0).getExpression())
            .hasSizeGreaterThan(WebhookMatchConditions.MAX_EXPRESSION_LENGTH - 400);
      } finally {
        configurations.withName(NAME + "-large").delete();
      }
    }
  }

  private static ConfigMap create(
      KubernetesClient client, String name, Map<String, String> labels) {
    return client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withData(Map.of("k", "v"))
                .build())
        .create();
  }

  private static void clean(KubernetesClient client) {
    client.configMaps().inNamespace(NS).withLabel("configguard.io/rollout").delete();
    for (String n : List.of("unrelated", "bot-features", "bot-features-eu")) {
      client.configMaps().inNamespace(NS).withName(n).delete();
    }
  }

  private static byte[] selfSignedPem() throws Exception {
    Path dir = Files.createTempDirectory("configguard-it-tls");
    io.configguard.serve.SelfSignedCertificate.write(
        dir.resolve("tls.crt"), dir.resolve("tls.key"));
    return Files.readAllBytes(dir.resolve("tls.crt"));
  }
}
