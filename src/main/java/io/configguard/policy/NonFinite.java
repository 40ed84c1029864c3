package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.policy.path.Location;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/** Infinite and NaN numbers (YAML's .inf, -.inf, .nan) in a document: values JSON cannot hold. */
final class NonFinite {
  private NonFinite() {}

  /** Reports each non-finite number under the subject; false when there is none. */
  static boolean report(JsonNode root, Subject subject, Findings findings) {
    boolean found = false;
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.push(new Object[] {root, subject.base()});
    while (!todo.isEmpty()) {
      Object[] next = todo.pop();
      JsonNode node = (JsonNode) next[0];
      Location at = (Location) next[1];
      if (node.isNumber() && !Double.isFinite(node.doubleValue()) && node.isFloatingPointNumber()) {
        found = true;
        findings.add(
            subject.location(),
            "jsonSchema: "
                + at
                + ": "
                + yaml(node.doubleValue())
                + " is not a finite number; JSON Schema (maximum, minimum, enum, multipleOf)"
                + " cannot judge it");
      } else if (node.isArray()) {
        for (int i = node.size() - 1; i >= 0; i--) {
          todo.push(new Object[] {node.get(i), at.child(i)});
        }
      } else if (node.isObject()) {
        Deque<Object[]> children = new ArrayDeque<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          children.push(new Object[] {field.getValue(), at.child(field.getKey())});
        }
        children.forEach(todo::push);
      }
    }
    return found;
  }

  private static String yaml(double value) {
    return Double.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  }
}
