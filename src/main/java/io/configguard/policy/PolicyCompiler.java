package io.configguard.policy;

import io.configguard.api.PolicySpec;

/** Turns a policy spec (untrusted input) into a {@link Policy}, or every reason it cannot. */
public final class PolicyCompiler {
  // CONTRACT STUB: the engine implementation replaces the bodies, keeps the signatures.
  public PolicyCompiler(Limits limits) {}

  public Policy compile(PolicyRef ref, PolicySpec spec) throws InvalidPolicyException {
    throw new UnsupportedOperationException();
  }
}
