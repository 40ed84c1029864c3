package io.configguard.rollout;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.PolicyRef;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A ConfigPolicy or ClusterConfigPolicy object as the engine knows it, the same for the webhook's
 * index, the policy reconcilers, the webhook-configuration sync and pre-flight: which policy it is
 * and at which version it was compiled.
 */
public final class PolicyResources {
  private PolicyResources() {}

  /** The ref of a policy object: cluster-wide for a ClusterConfigPolicy, else in its namespace. */
  public static PolicyRef ref(HasMetadata policy) {
    var meta = policy.getMetadata();
    return policy instanceof ClusterConfigPolicy
        ? PolicyRef.cluster(meta.getName())
        : PolicyRef.namespaced(meta.getNamespace(), meta.getName());
  }

  /** The version of a policy object ({@link CompiledPolicies#version}): a status write keeps it. */
  public static String version(HasMetadata policy) {
    var meta = policy.getMetadata();
    return CompiledPolicies.version(meta.getUid(), meta.getGeneration(), meta.getResourceVersion());
  }
}
