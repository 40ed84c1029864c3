package io.configguard.rollout;

import io.configguard.ConfigguardConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * CDI beans the operator needs in the application: the Lease-based leader election the operator SDK
 * activates in the prod profile. (Its {@link PolicySource} is the webhook's policy index.)
 */
@Singleton
public class RolloutWiring {
  /**
   * One Lease, {@code configguard.operator.lease-name} in {@code
   * configguard.operator.lease-namespace} (default: the client's namespace, i.e. the pod's own,
   * else {@code configguard}). A replica that loses the lease stops acting and stays up to serve
   * the webhook.
   */
  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(ConfigguardConfig config, KubernetesClient client) {
    return leaderElection(
        config.operator().leaseName(), config.operator().leaseNamespace(), client.getNamespace());
  }

  static LeaderElectionConfiguration leaderElection(
      String leaseName, Optional<String> leaseNamespace, String clientNamespace) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
        .withLeaseDuration(Duration.ofSeconds(15))
        .withRenewDeadline(Duration.ofSeconds(10))
        .withRetryPeriod(Duration.ofSeconds(2))
        .withLeaseNamespace(leaseNamespace(leaseNamespace, clientNamespace))
        .build(); // exit-on-stop-leading stays off: the replica keeps serving webhooks
  }

  /**
   * The configured namespace, else the client's (the pod's own, or the kubeconfig context's), else
   * the chart's default release namespace: a laptop whose context names no namespace (as kind
   * writes them) then shares the Lease of an in-cluster install instead of failing to start.
   */
  static String leaseNamespace(Optional<String> configured, String clientNamespace) {
    return configured
        .filter(ns -> !ns.isBlank())
        .orElse(
            clientNamespace == null || clientNamespace.isBlank()
                ? DEFAULT_LEASE_NAMESPACE
                : clientNamespace);
  }

  /** The namespace the chart installs into by default. */
  static final String DEFAULT_LEASE_NAMESPACE = "configguard";
}
