package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configguard.discovery.KnownResources;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookConfigurationsTest {
  static final List<RuleWithOperations> RULES = WebhookRules.of(List.of(), new KnownResources());
  static final OwnerReference OWNER = WebhookConfigurations.ownedBy("configguard", "uid-1");

  static WebhookSettings settings(Optional<String> url, List<String> exclude) {
    return new WebhookSettings(
        "configguard",
        7,
        "Ignore",
        "configguard-system",
        exclude,
        "configguard",
        "configguard-system",
        8443,
        "/validate",
        url,
        Optional.empty(),
        Optional.of("configguard"),
        Duration.ofMillis(10),
        Duration.ofMinutes(1),
        true,
        true);
  }

  static ValidatingWebhook webhook(ValidatingWebhookConfiguration c) {
    assertThat(c.getWebhooks()).hasSize(2);
    return WebhookConfigurations.main(c);
  }

  @Test
  void serviceModeCallsTheServiceWithTheCaBundle() {
    var c =
        WebhookConfigurations.desired(
            settings(Optional.empty(), List.of()), RULES, null, "Q0E=", OWNER);
    ValidatingWebhook w = webhook(c);
    assertThat(c.getMetadata().getName()).isEqualTo("configguard");
    assertThat(w.getName()).isEqualTo("validate.configguard.io");
    assertThat(w.getSideEffects()).isEqualTo("None");
    assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(w.getTimeoutSeconds()).isEqualTo(7);
    assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(w.getClientConfig().getUrl()).isNull();
    assertThat(w.getClientConfig().getCaBundle()).isEqualTo("Q0E=");
    var service = w.getClientConfig().getService();
    assertThat(List.of(service.getName(), service.getNamespace(), service.getPath()))
        .containsExactly("configguard", "configguard-system", "/validate");
    assertThat(service.getPort()).isEqualTo(8443);
    assertThat(w.getRules()).isEqualTo(RULES);
  }

  @Test
  void urlModeCallsTheUrlAndNoService() {
    var c =
        WebhookConfigurations.desired(
            settings(Optional.of("https://10.0.0.5:8443/validate"), List.of()),
            RULES,
            null,
            null,
            null);
    var client = webhook(c).getClientConfig();
    assertThat(client.getUrl()).isEqualTo("https://10.0.0.5:8443/validate");
    assertThat(client.getService()).isNull();
    assertThat(client.getCaBundle()).isNull();
    assertThat(c.getMetadata().getOwnerReferences()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                              | configguard-system,kube-system",
        "team-a                          | configguard-system,kube-system,team-a",
        "' team-b , kube-system,,team-a' | configguard-system,kube-system,team-a,team-b",
      })
  void namespacesExcludedAlwaysIncludeKubeSystemAndOwn(String extra, String excluded) {
    var c =
        WebhookConfigurations.desired(
            settings(Optional.empty(), List.of(extra.split(","))), RULES, null, null, null);
    var expressions = webhook(c).getNamespaceSelector().getMatchExpressions();
    assertThat(expressions).hasSize(1);
    assertThat(expressions.get(0).getKey()).isEqualTo("kubernetes.io/metadata.name");
    assertThat(expressions.get(0).getOperator()).isEqualTo("NotIn");
    assertThat(expressions.get(0).getValues()).containsExactly(excluded.split(","));
  }

  @Test
  void ownerIsTheClusterRole() {
    var c =
        WebhookConfigurations.desired(
            settings(Optional.empty(), List.of()), RULES, null, null, OWNER);
    assertThat(c.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getApiVersion()).isEqualTo("rbac.authorization.k8s.io/v1");
              assertThat(o.getKind()).isEqualTo("ClusterRole");
              assertThat(o.getName()).isEqualTo("configguard");
              assertThat(o.getUid()).isEqualTo("uid-1");
            });
  }

  @Test
  void upToDateSurvivesARoundTripAndIgnoresWhatOthersAdd() {
    var desired =
        WebhookConfigurations.desired(
            settings(Optional.empty(), List.of()), RULES, null, "Q0E=", OWNER);
    var readBack =
        Serialization.unmarshal(
            Serialization.asJson(desired), ValidatingWebhookConfiguration.class);
    readBack.getMetadata().setResourceVersion("42");
    readBack.getMetadata().setAnnotations(java.util.Map.of("note", "added by someone"));
    assertThat(WebhookConfigurations.upToDate(readBack, desired)).isTrue();
  }

  @Test
  void upToDateSeesEveryManagedDifference() {
    var s = settings(Optional.empty(), List.of());
    var desired = WebhookConfigurations.desired(s, RULES, null, "Q0E=", OWNER);
    var otherRules =
        WebhookConfigurations.desired(
            s,
            WebhookRules.of(
                List.of(
                    new WebhookRules.Need(
                        List.of(io.configguard.policy.ObjectKind.CONFIG_MAP),
                        WebhookRules.DEFAULT_OPERATIONS)),
                new KnownResources()),
            null,
            "Q0E=",
            OWNER);
    var otherCa = WebhookConfigurations.desired(s, RULES, null, "Q0I=", OWNER);
    var noOwner = WebhookConfigurations.desired(s, RULES, null, "Q0E=", null);
    var otherOwner =
        WebhookConfigurations.desired(
            s, RULES, null, "Q0E=", WebhookConfigurations.ownedBy("configguard", "uid-2"));
    assertThat(WebhookConfigurations.upToDate(otherRules, desired)).isFalse();
    assertThat(WebhookConfigurations.upToDate(otherCa, desired)).isFalse();
    assertThat(WebhookConfigurations.upToDate(noOwner, desired)).isFalse();
    assertThat(WebhookConfigurations.upToDate(otherOwner, desired)).isFalse();
    var unlabelled =
        new ValidatingWebhookConfigurationBuilder(desired)
            .editMetadata()
            .withLabels(null)
            .endMetadata()
            .build();
    assertThat(WebhookConfigurations.upToDate(unlabelled, desired)).isFalse();
  }

  @Test
  void rewriteKeepsTheVersionAndOthersOwnersButReplacesAStaleOwner() {
    var s = settings(Optional.empty(), List.of());
    OwnerReference stale = WebhookConfigurations.ownedBy("configguard", "old-uid");
    OwnerReference foreign = WebhookConfigurations.ownedBy("someone-else", "x");
    var actual =
        new ValidatingWebhookConfigurationBuilder(
                WebhookConfigurations.desired(s, List.of(), null, null, null))
            .editMetadata()
            .withResourceVersion("7")
            .withOwnerReferences(stale, foreign)
            .addToAnnotations("keep", "me")
            .endMetadata()
            .build();
    var desired = WebhookConfigurations.desired(s, RULES, null, "Q0E=", OWNER);
    var rewritten = WebhookConfigurations.rewrite(actual, desired);
    assertThat(rewritten.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(rewritten.getMetadata().getAnnotations()).containsEntry("keep", "me");
    assertThat(rewritten.getMetadata().getOwnerReferences()).containsExactly(foreign, OWNER);
    assertThat(WebhookConfigurations.upToDate(rewritten, desired)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0  | Fail    | 443   | 1 | 60 | configguard.webhook.timeout-seconds: 0 is not within 1..30",
        "31 | Fail    | 443   | 1 | 60 | configguard.webhook.timeout-seconds: 31 is not within 1..30",
        "5  | fail    | 443   | 1 | 60 | configguard.webhook.failure-policy: \"fail\" is not Fail or Ignore",
        "5  | Fail    | 70000 | 1 | 60 | configguard.webhook.service-port: 70000 is not a port",
        "5  | Fail    | 443   | -1 | 60 | configguard.webhook.debounce: must not be negative",
        "5  | Fail    | 443   | 1 | 0  | configguard.webhook.resync-interval: must be positive",
      })
  void badSettingsAreRejectedNamingTheProperty(
      int timeout, String failurePolicy, int port, long debounce, long resync, String message) {
    assertThatThrownBy(
            () ->
                new WebhookSettings(
                    "configguard",
                    timeout,
                    failurePolicy,
                    "ns",
                    List.of(),
                    "svc",
                    "ns",
                    port,
                    "/validate",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ofSeconds(debounce),
                    Duration.ofSeconds(resync),
                    true,
                    true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void theTracksWebhookSendsEveryWriteOfALabelledConfigMapWithoutConditions() {
    var c =
        WebhookConfigurations.desired(
            settings(Optional.empty(), List.of()),
            RULES,
            List.of(WebhookMatchConditions.notATrack()),
            "Q0E=",
            OWNER);
    assertThat(WebhookConfigurations.sendsRolloutTracks(c)).isTrue();
    var tracks = WebhookConfigurations.webhook(c, WebhookConfigurations.TRACKS_WEBHOOK_NAME);
    assertThat(tracks.getObjectSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("configguard.io/rollout");
              assertThat(e.getOperator()).isEqualTo("Exists");
            });
    assertThat(tracks.getMatchConditions()).isNullOrEmpty();
    assertThat(tracks.getFailurePolicy()).isEqualTo(webhook(c).getFailurePolicy());
    assertThat(tracks.getClientConfig()).isEqualTo(webhook(c).getClientConfig());
    // The configuration before 14.2 had one webhook, which sent no DELETE of ConfigMaps.
    var before =
        new ValidatingWebhookConfigurationBuilder(c)
            .withWebhooks(WebhookConfigurations.main(c))
            .build();
    assertThat(WebhookConfigurations.sendsRolloutTracks(before)).isFalse();
  }

  @Test
  void aServerThatDroppedTheConditionsIsRecognised() {
    var s = settings(Optional.empty(), List.of());
    var with =
        WebhookConfigurations.desired(
            s, RULES, List.of(WebhookMatchConditions.notATrack()), "Q0E=", OWNER);
    var without = WebhookConfigurations.desired(s, RULES, null, "Q0E=", OWNER);
    assertThat(WebhookConfigurations.droppedMatchConditions(with, without)).isTrue();
    assertThat(WebhookConfigurations.droppedMatchConditions(with, with)).isFalse();
    assertThat(WebhookConfigurations.droppedMatchConditions(without, without)).isFalse();
    assertThat(WebhookConfigurations.upToDate(without, with)).isFalse();
  }
}
