package io.configguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The mapping keeps every key's name and default from the {@code @ConfigProperty} fields it
 * replaced, and reads the chart's environment variables.
 */
public class ConfigguardConfigTest {
  /** The mapping over these properties and environment variables, with Quarkus's converters. */
  public static ConfigguardConfig of(Map<String, String> properties, Map<String, String> env) {
    return new SmallRyeConfigBuilder()
        .addDefaultInterceptors()
        .withSources(new PropertiesConfigSource(properties, "test", 400))
        .withSources(new EnvConfigSource(env, 300))
        .withConverter(Duration.class, 200, new DurationConverter())
        .withMapping(ConfigguardConfig.class)
        .build()
        .getConfigMapping(ConfigguardConfig.class);
  }

  public static ConfigguardConfig of(Map<String, String> properties) {
    return of(properties, Map.of());
  }

  @Test
  void defaultsAreTheOnesTheReplacedPropertiesHad() {
    ConfigguardConfig config = of(Map.of());
    assertThat(config.namespace()).isEqualTo("configguard");
    ConfigguardConfig.Webhook webhook = config.webhook();
    assertThat(webhook.name()).isEqualTo("configguard");
    assertThat(webhook.timeoutSeconds()).isEqualTo(5);
    assertThat(webhook.failurePolicy()).isEqualTo("Fail");
    assertThat(webhook.excludeNamespaces()).isEmpty();
    assertThat(webhook.serviceName()).isEqualTo("configguard");
    assertThat(webhook.serviceNamespace()).isEmpty();
    assertThat(webhook.servicePort()).isEqualTo(443);
    assertThat(webhook.path()).isEqualTo("/validate");
    assertThat(webhook.url()).isEmpty();
    assertThat(webhook.ownerClusterRole()).isEmpty();
    assertThat(webhook.debounce()).isEqualTo(Duration.ofSeconds(2));
    assertThat(webhook.resync()).isEqualTo(Duration.ofMinutes(5));
    assertThat(webhook.manage()).isTrue();
    assertThat(webhook.inCluster()).isEmpty();
    assertThat(config.tls().certFile()).isEmpty();
    assertThat(config.tls().keyFile()).isEmpty();
    assertThat(config.tls().caFile()).isEmpty();
    assertThat(config.operator().enabled()).isTrue();
    assertThat(config.operator().serviceAccount()).isEmpty();
    assertThat(config.operator().leaseName()).isEqualTo("configguard-operator");
    assertThat(config.operator().leaseNamespace()).isEmpty();
    assertThat(config.tracks().breakGlass().users()).isEmpty();
    assertThat(config.tracks().breakGlass().groups()).isEmpty();
    assertThat(config.audit().interval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.audit().pageSize()).isEqualTo(500);
  }

  @Test
  void theChartsEnvironmentVariablesSetTheirKeys() {
    ConfigguardConfig config =
        of(
            Map.of(),
            Map.of(
                "POD_NAMESPACE", "guard",
                "CONFIGGUARD_WEBHOOK_TIMEOUT_SECONDS", "3",
                "CONFIGGUARD_WEBHOOK_EXCLUDE_NAMESPACES", "kube-system,guard,flux-system",
                "CONFIGGUARD_WEBHOOK_RESYNC_INTERVAL", "1m",
                "CONFIGGUARD_TLS_CA_FILE", "/etc/configguard/tls/ca.crt",
                "CONFIGGUARD_AUDIT_INTERVAL", "30s",
                "CONFIGGUARD_TRACKS_BREAK_GLASS_USERS", "oncall,alice",
                "CONFIGGUARD_OPERATOR_LEASE_NAMESPACE", "guard"));
    assertThat(config.namespace()).isEqualTo("guard");
    assertThat(config.webhook().timeoutSeconds()).isEqualTo(3);
    assertThat(config.webhook().excludeNamespaces())
        .contains(List.of("kube-system", "guard", "flux-system"));
    assertThat(config.webhook().resync()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.tls().caFile()).contains("/etc/configguard/tls/ca.crt");
    assertThat(config.audit().interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.tracks().breakGlass().users()).contains(List.of("oncall", "alice"));
    assertThat(config.tracks().breakGlass().groups()).isEmpty();
    assertThat(config.operator().leaseNamespace()).contains("guard");
  }

  @Test
  void ownNamespaceIsTheSettingElsePodNamespaceElseConfigguard() {
    assertThat(of(Map.of("configguard.namespace", "mine", "POD_NAMESPACE", "pod")).namespace())
        .isEqualTo("mine");
    assertThat(of(Map.of("POD_NAMESPACE", "pod")).namespace()).isEqualTo("pod");
    assertThat(of(Map.of()).namespace()).isEqualTo("configguard");
  }

  @Test
  void anEmptyValueIsUnset() {
    ConfigguardConfig config =
        of(
            Map.of(),
            Map.of("CONFIGGUARD_WEBHOOK_EXCLUDE_NAMESPACES", "", "CONFIGGUARD_TLS_CA_FILE", ""));
    assertThat(config.webhook().excludeNamespaces()).isEqualTo(Optional.empty());
    assertThat(config.tls().caFile()).isEmpty();
    // As with the @ConfigProperty it replaced: an empty value does not fall back to the default.
    assertThatThrownBy(() -> of(Map.of(), Map.of("CONFIGGUARD_WEBHOOK_NAME", "")))
        .hasMessageContaining("configguard.webhook.name");
  }
}
