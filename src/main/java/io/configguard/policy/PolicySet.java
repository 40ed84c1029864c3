package io.configguard.policy;

import java.util.Collection;
import java.util.List;

/** An immutable set of compiled policies, indexed by kind so a target meets only its own. */
public final class PolicySet {
  // CONTRACT STUB: the engine implementation replaces the bodies, keeps the signatures.
  public static PolicySet of(Collection<Policy> policies) {
    throw new UnsupportedOperationException();
  }

  public List<Policy> matching(Target target) {
    throw new UnsupportedOperationException();
  }

  /** Evaluates the target against every matching policy, within {@link Limits#timeBudget()}. */
  public Verdict evaluate(Target target) {
    throw new UnsupportedOperationException();
  }

  public int size() {
    throw new UnsupportedOperationException();
  }
}
