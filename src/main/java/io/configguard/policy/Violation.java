package io.configguard.policy;

import io.configguard.api.Enforcement;

/**
 * One failed check.
 *
 * @param policy the policy's name (namespace/name for a namespaced ConfigPolicy)
 * @param rule the rule's name
 * @param enforcement the policy's enforcement
 * @param location the ConfigMap key the violation is about, e.g. {@code features.json}; empty when
 *     it is about the object as a whole. JSONPaths are part of the message, e.g. {@code duplicate
 *     "bot_score_v2" at $.features[61].name}
 * @param message what is wrong, naming the limit and the measured value
 */
public record Violation(
    String policy, String rule, Enforcement enforcement, String location, String message) {

  /** The one-line form used in denials, warnings, logs and the CLI: policy/rule first. */
  public String line() {
    return location.isEmpty()
        ? policy + "/" + rule + ": " + message
        : policy + "/" + rule + ": " + location + ": " + message;
  }
}
