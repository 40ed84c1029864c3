package io.configguard.policy;

import io.configguard.api.Enforcement;
import java.util.List;

/** A compiled policy: its match conditions and its checks. Immutable and thread-safe. */
public final class Policy {
  // CONTRACT STUB: the engine implementation replaces the bodies, keeps the signatures.
  public PolicyRef ref() {
    throw new UnsupportedOperationException();
  }

  public Enforcement enforcement() {
    throw new UnsupportedOperationException();
  }

  /** Kinds this policy can match, for indexing (ConfigMap when match.resources is empty). */
  public List<ObjectKind> kinds() {
    throw new UnsupportedOperationException();
  }

  /** Whether the target is in scope: kind, operation, names, selectors, namespace. */
  public boolean matches(Target target) {
    throw new UnsupportedOperationException();
  }

  /** Every violation of every rule; bounded in time, depth and cost; never throws to deny. */
  public List<Violation> evaluate(Target target) {
    throw new UnsupportedOperationException();
  }
}
