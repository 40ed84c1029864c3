package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;

/** A value parsed in a format: the document, or why it could not be parsed. */
record Parsed(JsonNode node, String error) {
  static Parsed of(JsonNode node) {
    return new Parsed(node, null);
  }

  static Parsed failed(String error) {
    return new Parsed(null, error);
  }

  boolean ok() {
    return node != null;
  }
}
