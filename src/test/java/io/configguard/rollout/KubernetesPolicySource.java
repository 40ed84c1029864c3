package io.configguard.rollout;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicySpec;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Pre-flight's policies for operator tests that run no webhook: lists the ConfigPolicies of a
 * namespace and every ClusterConfigPolicy on each call, compiled once per version. (The
 * application's pre-flight reads the webhook's policy index.) A policy that does not compile is
 * skipped, as the webhook does not enforce it either.
 */
final class KubernetesPolicySource implements PolicySource {
  private static final Logger LOG = Logger.getLogger(KubernetesPolicySource.class);

  private final KubernetesClient client;
  private final CompiledPolicies compiled;

  KubernetesPolicySource(KubernetesClient client, PolicyCompiler compiler) {
    this.client = client;
    this.compiled = new CompiledPolicies(compiler);
  }

  @Override
  public PolicySet policiesFor(String namespace) {
    List<Policy> policies = new ArrayList<>();
    for (ConfigPolicy p :
        client.resources(ConfigPolicy.class).inNamespace(namespace).list().getItems()) {
      compile(p, policies);
    }
    for (ClusterConfigPolicy p : client.resources(ClusterConfigPolicy.class).list().getItems()) {
      compile(p, policies);
    }
    return PolicySet.of(policies);
  }

  private void compile(CustomResource<PolicySpec, ?> policy, List<Policy> into) {
    if (policy.getSpec() == null) {
      return;
    }
    PolicyRef ref = PolicyResources.ref(policy);
    CompiledPolicies.Outcome outcome =
        compiled.compile(ref, PolicyResources.version(policy), policy.getSpec());
    if (outcome.valid()) {
      into.add(outcome.policy());
    } else {
      LOG.warnf(
          "policy %s does not compile and is not used in pre-flight: %s",
          ref.id(), outcome.reasons());
    }
  }
}
