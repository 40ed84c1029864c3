package io.configguard.rollout;

import io.configguard.ConfigguardConfig;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * CDI beans the operator needs in the application: a default {@link PolicySource} (replaced by any
 * other PolicySource bean, e.g. the webhook's policy index) and the Lease-based leader election the
 * operator SDK activates in the prod profile.
 */
@Singleton
public class RolloutWiring {
  @Produces
  @DefaultBean
  @Singleton
  PolicySource policySource(KubernetesClient client) {
    return new KubernetesPolicySource(client, new PolicyCompiler(Limits.DEFAULT));
  }

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
