package io.configguard.policy;

import java.time.Instant;

/**
 * A policy an object was not held to because one of the policy's unexpired exceptions covers it.
 *
 * @param policy the policy's name (namespace/name for a ConfigPolicy)
 * @param index the exception's position in {@code spec.exceptions}
 * @param reason the exception's reason
 * @param expires when the exception stops applying
 */
public record Exemption(String policy, int index, String reason, Instant expires) {

  /** The warning users read, naming the exception: policy first, like a violation line. */
  public String line() {
    return policy
        + ": exempted by spec.exceptions["
        + index
        + "] until "
        + expires
        + " ("
        + reason
        + ")";
  }
}
