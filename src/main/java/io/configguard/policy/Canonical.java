package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * A value in the form two equal values share: every number as its exact decimal value with trailing
 * zeros stripped, so {@code 1}, {@code 1.0}, {@code 1e0} and {@code 10E-1} are one value, as any
 * consumer that reads them as numbers sees them. Values without numbers are returned as is.
 */
final class Canonical {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private Canonical() {}

  static JsonNode of(JsonNode node) {
    if (node == null || !hasNumber(node)) {
      return node;
    }
    return copy(node);
  }

  private static boolean hasNumber(JsonNode node) {
    if (node.isNumber()) {
      return true;
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (hasNumber(child)) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode copy(JsonNode node) {
    if (node.isNumber()) {
      if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
        return node;
      }
      BigDecimal value =
          node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue();
      return NODES.numberNode(value.stripTrailingZeros());
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode(node.size());
      node.forEach(child -> out.add(copy(child)));
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        out.set(field.getKey(), copy(field.getValue()));
      }
      return out;
    }
    return node;
  }
}
