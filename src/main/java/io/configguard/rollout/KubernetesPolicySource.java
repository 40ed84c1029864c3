package io.configguard.rollout;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Lists the ConfigPolicies of a namespace and every ClusterConfigPolicy and compiles them. Runs
 * once per candidate revision, so it reads the API directly instead of keeping a cache. A policy
 * that does not compile is skipped, as the webhook does not enforce it either.
 */
public final class KubernetesPolicySource implements PolicySource {
  private static final Logger LOG = Logger.getLogger(KubernetesPolicySource.class);

  private final KubernetesClient client;
  private final PolicyCompiler compiler;

  public KubernetesPolicySource(KubernetesClient client, PolicyCompiler compiler) {
    this.client = client;
    this.compiler = compiler;
  }

  @Override
  public PolicySet policiesFor(String namespace) {
    List<Policy> policies = new ArrayList<>();
    for (ConfigPolicy p :
        client.resources(ConfigPolicy.class).inNamespace(namespace).list().getItems()) {
      compile(PolicyRef.namespaced(namespace, p.getMetadata().getName()), p.getSpec(), policies);
    }
    for (ClusterConfigPolicy p : client.resources(ClusterConfigPolicy.class).list().getItems()) {
      compile(PolicyRef.cluster(p.getMetadata().getName()), p.getSpec(), policies);
    }
    return PolicySet.of(policies);
  }

  private void compile(PolicyRef ref, io.configguard.api.PolicySpec spec, List<Policy> into) {
    if (spec == null) {
      return;
    }
    try {
      into.add(compiler.compile(ref, spec));
    } catch (InvalidPolicyException e) {
      LOG.warnf("policy %s does not compile and is not used in pre-flight: %s", ref.id(), e);
    }
  }
}
