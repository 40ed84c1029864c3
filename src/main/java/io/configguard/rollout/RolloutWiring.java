package io.configguard.rollout;

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
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
   * configguard.operator.lease-namespace} (default: the client's namespace, i.e. the pod's own). A
   * replica that loses the lease stops acting and stays up to serve the webhook.
   */
  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(
              name = "configguard.operator.lease-name",
              defaultValue = "configguard-operator")
          String leaseName,
      @ConfigProperty(name = "configguard.operator.lease-namespace")
          Optional<String> leaseNamespace) {
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
            .withLeaseDuration(Duration.ofSeconds(15))
            .withRenewDeadline(Duration.ofSeconds(10))
            .withRetryPeriod(Duration.ofSeconds(2));
    leaseNamespace.ifPresent(builder::withLeaseNamespace);
    return builder.build(); // exit-on-stop-leading stays off: the replica keeps serving webhooks
  }
}
