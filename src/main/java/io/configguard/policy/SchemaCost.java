package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The static cost of a JSON Schema: the most subschemas it can apply to any one value of a
 * document, following {@code $ref} as the validator does. In-place applicators (allOf, anyOf,
 * oneOf, not, if/then/else, $ref, dependentSchemas) add up on the same value; applicators that
 * descend (properties, items, ...) apply to a child one level down. A chain of $defs whose levels
 * each refer to the one below twice applies 2^n subschemas to a single value (22 levels ended the
 * JVM), so the count at every depth up to the nesting limit must stay within {@link #MAX}.
 */
final class SchemaCost {
  /** Most subschema applications to one value of a document. */
  static final long MAX = 1000;

  private static final double OVER = 1e18;

  private static final List<String> IN_PLACE_LISTS = List.of("allOf", "anyOf", "oneOf");
  private static final List<String> IN_PLACE_ONE = List.of("not", "if", "then", "else");
  private static final Set<String> DATA = Set.of("enum", "const", "default", "examples");

  private final JsonNode root;
  private final int maxDepth;
  private final Map<JsonNode, double[]> memo = new IdentityHashMap<>();
  private final Map<JsonNode, boolean[]> open = new IdentityHashMap<>();
  private String cycle;

  private SchemaCost(JsonNode root, int maxDepth) {
    this.root = root;
    this.maxDepth = maxDepth;
  }

  /** Why the schema is too costly, or null. */
  static String problem(JsonNode schema, int maxDepth) {
    SchemaCost cost = new SchemaCost(schema, maxDepth);
    double worst = 0;
    int at = 0;
    for (int k = 0; k <= maxDepth; k++) {
      double f = cost.apply(schema, k);
      if (cost.cycle != null) {
        return "$ref " + cost.cycle + " refers back to itself without descending into the value";
      }
      if (f > worst) {
        worst = f;
        at = k;
      }
    }
    if (worst > MAX) {
      return "applies "
          + (worst >= OVER ? "an unbounded number of" : String.format("%.0f", worst))
          + " subschemas to one value (at depth "
          + at
          + "), more than the limit of "
          + MAX
          + " ($ref/anyOf/oneOf/allOf expand)";
    }
    return null;
  }

  /** Subschema applications, from {@code s}, to one value k levels below the one s applies to. */
  private double apply(JsonNode s, int k) {
    if (s == null || !s.isObject() || cycle != null) {
      return k == 0 ? 1 : 0;
    }
    double[] known = memo.computeIfAbsent(s, x -> new double[maxDepth + 1]);
    if (known[k] > 0) {
      return known[k] - 1;
    }
    boolean[] busy = open.computeIfAbsent(s, x -> new boolean[maxDepth + 1]);
    if (busy[k]) {
      cycle = String.valueOf(s.path("$ref").asText("(a subschema)"));
      return OVER;
    }
    busy[k] = true;
    double total = k == 0 ? 1 : 0;
    for (JsonNode c : inPlace(s)) {
      total = cap(total + apply(c, k));
    }
    if (k > 0) {
      total = cap(total + descend(s, k - 1));
    }
    busy[k] = false;
    known[k] = total + 1;
    return total;
  }

  /** One child value: the subschemas that may apply to it, each at depth k below it. */
  private double descend(JsonNode s, int k) {
    double properties = 0;
    for (JsonNode p : values(s.get("properties"))) {
      properties = Math.max(properties, apply(p, k));
    }
    double sum = properties;
    for (JsonNode p : values(s.get("patternProperties"))) {
      sum = cap(sum + apply(p, k));
    }
    for (String one :
        List.of(
            "additionalProperties",
            "unevaluatedProperties",
            "propertyNames",
            "items",
            "additionalItems",
            "unevaluatedItems",
            "contains")) {
      if (s.has(one)) {
        sum = cap(sum + apply(s.get(one), k));
      }
    }
    double prefix = 0;
    for (JsonNode p : values(s.get("prefixItems"))) {
      prefix = Math.max(prefix, apply(p, k));
    }
    return cap(sum + prefix);
  }

  private List<JsonNode> inPlace(JsonNode s) {
    List<JsonNode> out = new ArrayList<>();
    for (String list : IN_PLACE_LISTS) {
      JsonNode l = s.get(list);
      if (l != null && l.isArray()) {
        l.forEach(out::add);
      }
    }
    for (String one : IN_PLACE_ONE) {
      if (s.has(one)) {
        out.add(s.get(one));
      }
    }
    out.addAll(values(s.get("dependentSchemas")));
    for (String ref : List.of("$ref", "$dynamicRef")) {
      JsonNode r = s.get(ref);
      if (r != null && r.isTextual()) {
        JsonNode target = resolve(r.textValue());
        if (target != null) {
          out.add(target);
        }
      }
    }
    return out;
  }

  private static List<JsonNode> values(JsonNode object) {
    List<JsonNode> out = new ArrayList<>();
    if (object != null && object.isObject()) {
      object.elements().forEachRemaining(out::add);
    }
    return out;
  }

  /** A reference within this schema: "#", "#/json/pointer" or "#anchor"; else null (leaf). */
  private JsonNode resolve(String ref) {
    if (ref.equals("#") || ref.isEmpty()) {
      return root;
    }
    if (ref.startsWith("#/")) {
      JsonNode target;
      try {
        String pointer =
            java.net.URLDecoder.decode(ref.substring(1), java.nio.charset.StandardCharsets.UTF_8);
        target = root.at(pointer);
      } catch (IllegalArgumentException e) {
        // Not a decodable JSON pointer (e.g. a bad % escape): counted as a leaf.
        return null;
      }
      return target.isMissingNode() ? null : target;
    }
    if (ref.startsWith("#")) {
      return anchor(root, ref.substring(1));
    }
    return null;
  }

  private static JsonNode anchor(JsonNode node, String name) {
    if (node.isObject()) {
      for (String key : List.of("$anchor", "$dynamicAnchor")) {
        if (name.equals(node.path(key).asText(null))) {
          return node;
        }
      }
      var fields = node.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        if (!DATA.contains(f.getKey())) {
          JsonNode found = anchor(f.getValue(), name);
          if (found != null) {
            return found;
          }
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        JsonNode found = anchor(item, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static double cap(double v) {
    return Math.min(v, OVER);
  }
}
