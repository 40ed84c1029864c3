package io.configguard.policy;

import io.configguard.api.Format;
import java.util.Map;

/** One policy evaluating one target: the shared documents plus the policy's own view of them. */
final class Evaluation {
  private final Policy policy;
  private final Documents documents;
  private Map<String, Object> celVariables;

  Evaluation(Policy policy, Documents documents) {
    this.policy = policy;
    this.documents = documents;
  }

  Target target() {
    return documents.target();
  }

  Documents documents() {
    return documents;
  }

  Limits limits() {
    return policy.limits();
  }

  Parsers parsers() {
    return policy.parsers();
  }

  void checkDeadline() {
    documents.checkDeadline();
  }

  /**
   * A value as a violation may show it: for a Secret never the value nor any part of it (the
   * location says which one), for anything else its JSON cut to a readable length.
   */
  String show(com.fasterxml.jackson.databind.JsonNode value) {
    return isSecret() ? REDACTED : Json.brief(value);
  }

  static final String REDACTED = "<redacted>";

  boolean isSecret() {
    ObjectKind kind = target().kind();
    return kind.group().isEmpty() && kind.kind().equals("Secret");
  }

  /** The format some rule of this policy gives {@code key}, or null. */
  Format formatOf(String key) {
    return policy.formatOf(key);
  }

  Parsed parse(ConfigValue entry, Format format) {
    return documents.parse(entry, format, policy.parsers());
  }

  /** CEL's variables, built once per policy and target; values are lazy views on the JSON. */
  Map<String, Object> celVariables() {
    if (celVariables == null) {
      celVariables = CelValues.variables(this);
    }
    return celVariables;
  }
}
