package io.configguard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configguard.ConfigguardConfigTest;
import io.configguard.webhookconfig.WebhookSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lifecycle's settings from the configguard.* mapping, checked at start. */
class LifecycleBeansTest {
  static LifecycleBeans beans(Map<String, String> properties) {
    LifecycleBeans beans = new LifecycleBeans();
    beans.config = ConfigguardConfigTest.of(properties);
    return beans;
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "configguard.webhook.timeout-seconds | 0     | configguard.webhook.timeout-seconds: 0 is not within 1..30",
        "configguard.webhook.failure-policy  | fail  | configguard.webhook.failure-policy: \"fail\" is not Fail or Ignore",
        "configguard.webhook.service-port    | 70000 | configguard.webhook.service-port: 70000 is not a port",
        "configguard.webhook.debounce        | -1s   | configguard.webhook.debounce: must not be negative",
        "configguard.webhook.resync-interval | 0s    | configguard.webhook.resync-interval: must be positive",
        "configguard.audit.interval          | 0s    | configguard.audit.interval: must be positive",
        "configguard.audit.page-size         | 0     | configguard.audit.page-size: must be at least 1",
      })
  void aValueOutOfRangeStopsTheStartNamingItsKey(String key, String value, String message) {
    LifecycleBeans beans = beans(Map.of(key, value));
    assertThatThrownBy(() -> beans.check(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void theDefaultsStart() {
    beans(Map.of()).check(null);
  }

  @Test
  void webhookSettingsComeFromTheMapping() {
    WebhookSettings settings =
        LifecycleBeans.webhookSettings(
            ConfigguardConfigTest.of(
                Map.of(
                    "POD_NAMESPACE", "guard",
                    "configguard.webhook.exclude-namespaces", "flux-system",
                    "configguard.tls.ca-file", " ",
                    "configguard.webhook.resync-interval", "1m")),
            () -> true);
    assertThat(settings.ownNamespace()).isEqualTo("guard");
    assertThat(settings.serviceNamespace()).isEqualTo("guard");
    assertThat(settings.excludedNamespaces())
        .containsExactly("flux-system", "guard", "kube-system");
    assertThat(settings.caFile()).isEmpty();
    assertThat(settings.resync()).hasMinutes(1);
    assertThat(settings.inCluster()).isTrue();

    WebhookSettings laptop =
        LifecycleBeans.webhookSettings(
            ConfigguardConfigTest.of(
                Map.of(
                    "configguard.webhook.in-cluster", "false",
                    "configguard.webhook.service-namespace", "svc-ns",
                    "configguard.tls.ca-file", "/ca.crt")),
            () -> true);
    assertThat(laptop.inCluster()).isFalse();
    assertThat(laptop.ownNamespace()).isEqualTo("configguard");
    assertThat(laptop.serviceNamespace()).isEqualTo("svc-ns");
    assertThat(laptop.caFile()).contains(Path.of("/ca.crt"));
  }
}
