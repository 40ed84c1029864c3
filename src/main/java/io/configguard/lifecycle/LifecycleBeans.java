package io.configguard.lifecycle;

import io.configguard.policy.CompiledPolicies;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the policy lifecycle from configguard.* properties (the chart sets them as env vars). */
@ApplicationScoped
public class LifecycleBeans {
  @ConfigProperty(name = "configguard.webhook.name", defaultValue = "configguard")
  String name;

  @ConfigProperty(name = "configguard.webhook.timeout-seconds", defaultValue = "5")
  int timeoutSeconds;

  @ConfigProperty(name = "configguard.webhook.failure-policy", defaultValue = "Fail")
  String failurePolicy;

  @ConfigProperty(name = "configguard.webhook.exclude-namespaces")
  Optional<List<String>> excludeNamespaces;

  /** configguard's own namespace; in a pod, POD_NAMESPACE from the downward API. */
  @ConfigProperty(name = "configguard.namespace")
  Optional<String> namespace;

  @ConfigProperty(name = "POD_NAMESPACE")
  Optional<String> podNamespace;

  @ConfigProperty(name = "configguard.webhook.service-name", defaultValue = "configguard")
  String serviceName;

  @ConfigProperty(name = "configguard.webhook.service-namespace")
  Optional<String> serviceNamespace;

  @ConfigProperty(name = "configguard.webhook.service-port", defaultValue = "443")
  int servicePort;

  @ConfigProperty(name = "configguard.webhook.path", defaultValue = "/validate")
  String path;

  @ConfigProperty(name = "configguard.webhook.url")
  Optional<String> url;

  @ConfigProperty(name = "configguard.tls.ca-file")
  Optional<String> caFile;

  @ConfigProperty(name = "configguard.webhook.owner-cluster-role")
  Optional<String> ownerClusterRole;

  @ConfigProperty(name = "configguard.webhook.debounce", defaultValue = "2s")
  Duration debounce;

  @ConfigProperty(name = "configguard.webhook.resync-interval", defaultValue = "5m")
  Duration resync;

  /** false: configguard never writes the ValidatingWebhookConfiguration. */
  @ConfigProperty(name = "configguard.webhook.manage", defaultValue = "true")
  boolean manage;

  /** Overrides the in-cluster detection (see WebhookSettings.detectInCluster). */
  @ConfigProperty(name = "configguard.webhook.in-cluster")
  Optional<Boolean> inCluster;

  @ConfigProperty(name = "configguard.audit.interval", defaultValue = "10m")
  Duration auditInterval;

  @ConfigProperty(name = "configguard.audit.page-size", defaultValue = "500")
  int auditPageSize;

  WebhookSettings webhookSettings() {
    String own = namespace.or(() -> podNamespace).orElse("configguard");
    return new WebhookSettings(
        name,
        timeoutSeconds,
        failurePolicy,
        own,
        excludeNamespaces.orElse(List.of()),
        serviceName,
        serviceNamespace.orElse(own),
        servicePort,
        path,
        url,
        caFile.filter(f -> !f.isBlank()).map(Path::of),
        ownerClusterRole,
        debounce,
        resync,
        manage,
        inCluster.orElseGet(
            () -> WebhookSettings.detectInCluster(System::getenv, java.nio.file.Files::exists)));
  }

  @Produces
  @Singleton
  PolicyLifecycle policyLifecycle(
      KubernetesClient client, MeterRegistry registry, CompiledPolicies compiled) {
    return PolicyLifecycle.create(
        client,
        webhookSettings(),
        new PolicyLifecycle.AuditSettings(auditInterval, auditPageSize),
        registry,
        Clock.systemUTC(),
        compiled);
  }

  void close(@Disposes PolicyLifecycle lifecycle) {
    lifecycle.close();
  }
}
