package io.configguard.policy;

import java.util.List;

/** A policy spec that cannot be compiled; every reason names its field, e.g. spec.rules[2].cel. */
public class InvalidPolicyException extends Exception {
  private final List<String> reasons;

  public InvalidPolicyException(List<String> reasons) {
    super(String.join("; ", reasons));
    this.reasons = List.copyOf(reasons);
  }

  public List<String> reasons() {
    return reasons;
  }
}
