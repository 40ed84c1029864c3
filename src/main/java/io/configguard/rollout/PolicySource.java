package io.configguard.rollout;

import io.configguard.policy.PolicySet;

/**
 * Supplies the compiled policies pre-flight evaluates a candidate against. In the application the
 * admission side's policy index can provide it; {@link KubernetesPolicySource} lists and compiles
 * the policy objects itself.
 */
@FunctionalInterface
public interface PolicySource {
  /** Every policy that can apply in {@code namespace}: its ConfigPolicies and all cluster ones. */
  PolicySet policiesFor(String namespace);
}
