package io.configguard.rollout;

import io.configguard.policy.PolicySet;

/**
 * Supplies the compiled policies pre-flight evaluates a candidate against: in the application, the
 * webhook's policy index (so pre-flight and admission judge with the same compiled policies).
 */
@FunctionalInterface
public interface PolicySource {
  /** Every policy that can apply in {@code namespace}: its ConfigPolicies and all cluster ones. */
  PolicySet policiesFor(String namespace);
}
