package io.configguard.lifecycle;

import io.configguard.ConfigguardConfig;
import io.configguard.policy.CompiledPolicies;
import io.configguard.webhookconfig.WebhookSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Builds the policy lifecycle from the configguard.* settings (the chart sets them as env vars).
 */
@ApplicationScoped
public class LifecycleBeans {
  @Inject ConfigguardConfig config;

  /** Bad webhook or audit settings end the start, naming the key, not the first sync. */
  void check(@Observes StartupEvent start) {
    webhookSettings();
    auditSettings();
  }

  WebhookSettings webhookSettings() {
    return webhookSettings(
        config, () -> WebhookSettings.detectInCluster(System::getenv, java.nio.file.Files::exists));
  }

  static WebhookSettings webhookSettings(
      ConfigguardConfig config, java.util.function.BooleanSupplier detectInCluster) {
    ConfigguardConfig.Webhook webhook = config.webhook();
    String own = config.namespace();
    return new WebhookSettings(
        webhook.name(),
        webhook.timeoutSeconds(),
        webhook.failurePolicy(),
        own,
        webhook.excludeNamespaces().orElse(List.of()),
        webhook.serviceName(),
        webhook.serviceNamespace().orElse(own),
        webhook.servicePort(),
        webhook.path(),
        webhook.url(),
        config.tls().caFile().filter(f -> !f.isBlank()).map(Path::of),
        webhook.ownerClusterRole(),
        webhook.debounce(),
        webhook.resync(),
        webhook.manage(),
        webhook.inCluster().orElseGet(detectInCluster::getAsBoolean));
  }

  PolicyLifecycle.AuditSettings auditSettings() {
    return new PolicyLifecycle.AuditSettings(config.audit().interval(), config.audit().pageSize());
  }

  @Produces
  @Singleton
  PolicyLifecycle policyLifecycle(
      KubernetesClient client, MeterRegistry registry, CompiledPolicies compiled) {
    return PolicyLifecycle.create(
        client, webhookSettings(), auditSettings(), registry, Clock.systemUTC(), compiled);
  }

  void close(@Disposes PolicyLifecycle lifecycle) {
    lifecycle.close();
  }
}
