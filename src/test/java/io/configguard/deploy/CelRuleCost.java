package io.configguard.deploy;

import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A conservative model of the static cost estimate kube-apiserver makes for every
 * x-kubernetes-validations rule when a CRD is created or updated.
 *
 * <p>Modelled on k8s.io/apiextensions-apiserver: pkg/apis/apiextensions/validation (per-rule cost =
 * estimated cost of one call × the maximum cardinality of the schema node, i.e. the product of
 * maxItems/maxProperties of its ancestors, or maxRequestSizeBytes / (minimum serialized size + 1)
 * when an ancestor is unbounded; CRD total = sum of rule costs), pkg/apiserver/schema/cel (sizes: a
 * string without maxLength is maxRequestSizeBytes - 2 long, a list without maxItems has
 * maxRequestSizeBytes / (min item size + 1) items) and cel-go checker/cost.go (ident and select
 * cost 1, a comprehension costs its range's size × (loop condition + loop step), matches() costs
 * ceil((len + 1) × 0.1) × ceil(len(regex) × 0.25), contains/startsWith/endsWith the product of the
 * string traversals). Where this model does not know a function it charges a traversal of every
 * string or list argument on top of the call, so it never estimates below the API server.
 */
final class CelRuleCost {
  /** k8s.io/apiserver/pkg/apis/cel/config.go: MaxRequestSizeBytes = 3 MiB. */
  static final long MAX_REQUEST_SIZE_BYTES = 3L * 1024 * 1024;

  static final double STRING_TRAVERSAL_COST_FACTOR = 0.1;
  static final double REGEX_STRING_LENGTH_COST_FACTOR = 0.25;
  static final long LIST_CREATE_BASE_COST = 10;
  static final long MAP_CREATE_BASE_COST = 30;
  static final long STRUCT_CREATE_BASE_COST = 40;

  private static final CelParser PARSER =
      CelParserFactory.standardCelParserBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .build();

  private CelRuleCost() {}

  /** The estimated worst-case cost of one evaluation of {@code rule} with self of {@code self}. */
  static long perCall(String rule, JSONSchemaProps self) {
    CelExpr expr;
    try {
      expr = PARSER.parse(rule).getAst().getExpr();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException("rule does not parse: " + rule + ": " + e.getMessage(), e);
    }
    Map<String, Value> scope = new HashMap<>();
    scope.put("self", Value.of(self));
    scope.put("oldSelf", Value.of(self));
    return new Estimator().cost(expr, scope);
  }

  /**
   * How often a node can occur in one object: the product of maxItems/maxProperties of the
   * ancestors, or (one of them unbounded) the API server's fallback for the node.
   */
  static long cardinality(Long boundedByAncestors, JSONSchemaProps node) {
    if (boundedByAncestors != null) {
      return boundedByAncestors;
    }
    return MAX_REQUEST_SIZE_BYTES / (minSerializedSize(node) + 1);
  }

  /**
   * The factor by which a node multiplies its children's cardinality (extractMaxElements): maps and
   * arrays their declared maximum (null when there is none), objects and scalars 1.
   */
  static Long maxElements(JSONSchemaProps node) {
    if ("array".equals(node.getType())) {
      return node.getMaxItems();
    }
    if ("object".equals(node.getType()) && additionalProperties(node) != null) {
      return node.getMaxProperties();
    }
    return 1L;
  }

  static JSONSchemaProps additionalProperties(JSONSchemaProps node) {
    return node.getAdditionalProperties() == null
        ? null
        : node.getAdditionalProperties().getSchema();
  }

  /** estimateMinSizeJSON: "" for strings, [] for arrays, {} for objects, 0 for numbers. */
  static long minSerializedSize(JSONSchemaProps node) {
    if (node == null || node.getType() == null) {
      return 1;
    }
    return switch (node.getType()) {
      case "boolean" -> 4;
      case "number", "integer" -> 1;
      case "string" -> 2;
      default -> 2;
    };
  }

  /** The most characters (strings) or elements (lists, maps) a node can hold. */
  static long maxSize(JSONSchemaProps node) {
    if (node == null
        || node.getType() == null
        || Boolean.TRUE.equals(node.getXKubernetesIntOrString())) {
      return MAX_REQUEST_SIZE_BYTES - 2;
    }
    switch (node.getType()) {
      case "string":
        if (node.getMaxLength() != null) {
          // maxLength counts code points; the API server sizes strings in bytes, up to 4 each
          // (k8s.io/apiserver/pkg/cel/common/schemas.go).
          return saturatingMul(node.getMaxLength(), 4);
        }
        String format = node.getFormat() == null ? "" : node.getFormat();
        return switch (format) {
          case "date" -> 10; // JSONDateSize without quotes
          case "date-time" -> 64; // generous for MaxDatetimeSizeJSON
          case "duration" -> 64; // generous for MaxDurationSizeJSON
          default -> MAX_REQUEST_SIZE_BYTES - 2;
        };
      case "array":
        return node.getMaxItems() != null
            ? node.getMaxItems()
            : MAX_REQUEST_SIZE_BYTES
                / (minSerializedSize(node.getItems() == null ? null : node.getItems().getSchema())
                    + 1);
      case "object":
        if (additionalProperties(node) != null) {
          return node.getMaxProperties() != null
              ? node.getMaxProperties()
              : MAX_REQUEST_SIZE_BYTES / (minSerializedSize(additionalProperties(node)) + 1 + 3);
        }
        return node.getProperties() == null ? MAX_REQUEST_SIZE_BYTES : node.getProperties().size();
      default:
        return 1;
    }
  }

  /** The largest JSON serialization of a node: what comparing or converting it traverses. */
  static long maxSerializedSize(JSONSchemaProps node) {
    if (node == null || node.getType() == null) {
      return MAX_REQUEST_SIZE_BYTES;
    }
    switch (node.getType()) {
      case "string":
        return saturatingAdd(maxSize(node), 2);
      case "integer", "number":
        return 32;
      case "boolean":
        return 5;
      case "array":
        {
          long item =
              maxSerializedSize(node.getItems() == null ? null : node.getItems().getSchema());
          return Math.min(
              MAX_REQUEST_SIZE_BYTES, saturatingAdd(saturatingMul(maxSize(node), item + 1), 2));
        }
      case "object":
        {
          if (Boolean.TRUE.equals(node.getXKubernetesPreserveUnknownFields())) {
            return MAX_REQUEST_SIZE_BYTES;
          }
          long total = 2;
          if (additionalProperties(node) != null) {
            total = saturatingAdd(total, saturatingMul(maxSize(node), MAX_REQUEST_SIZE_BYTES));
          }
          if (node.getProperties() != null) {
            for (var e : node.getProperties().entrySet()) {
              total =
                  saturatingAdd(total, e.getKey().length() + 4 + maxSerializedSize(e.getValue()));
            }
          }
          return Math.min(MAX_REQUEST_SIZE_BYTES, total);
        }
      default:
        return MAX_REQUEST_SIZE_BYTES;
    }
  }

  static long saturatingAdd(long a, long b) {
    long r = a + b;
    return r < 0 || r < a ? Long.MAX_VALUE : r;
  }

  static long saturatingMul(long a, long b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }

  static long traversal(long length, double factor) {
    return (long) Math.ceil(length * factor);
  }

  /**
   * What an expression evaluates to, as far as cost is concerned: a schema node, a literal string,
   * or something unknown (sized as large as a request).
   */
  record Value(JSONSchemaProps schema, Long literalLength) {
    static final Value UNKNOWN = new Value(null, null);
    static final Value SCALAR =
        of(
            new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder()
                .withType("integer")
                .build());

    static Value of(JSONSchemaProps schema) {
      return new Value(schema, null);
    }

    long size() {
      if (literalLength != null) {
        return literalLength;
      }
      return schema == null ? MAX_REQUEST_SIZE_BYTES - 2 : maxSize(schema);
    }

    long serialized() {
      if (literalLength != null) {
        return literalLength + 2;
      }
      return maxSerializedSize(schema);
    }

    boolean scalar() {
      return schema != null
          && schema.getType() != null
          && List.of("integer", "number", "boolean").contains(schema.getType());
    }

    Value element() {
      if (schema == null) {
        return UNKNOWN;
      }
      if ("array".equals(schema.getType()) && schema.getItems() != null) {
        return of(schema.getItems().getSchema());
      }
      if ("object".equals(schema.getType()) && additionalProperties(schema) != null) {
        return of(additionalProperties(schema));
      }
      return UNKNOWN;
    }

    Value field(String name) {
      if (schema == null) {
        return UNKNOWN;
      }
      if (schema.getProperties() != null && schema.getProperties().containsKey(name)) {
        return of(schema.getProperties().get(name));
      }
      if (additionalProperties(schema) != null) {
        return of(additionalProperties(schema));
      }
      return UNKNOWN;
    }
  }

  /** Walks the AST; every call returns the estimated maximum cost of evaluating the node once. */
  private static final class Estimator {
    long cost(CelExpr e, Map<String, Value> scope) {
      return switch (e.getKind()) {
        case CONSTANT, NOT_SET -> 0;
        case IDENT -> 1;
        case SELECT -> saturatingAdd(1, cost(e.select().operand(), scope));
        case LIST -> sum(LIST_CREATE_BASE_COST, e.list().elements(), scope);
        case MAP -> {
          long c = MAP_CREATE_BASE_COST;
          for (var entry : e.map().entries()) {
            c =
                saturatingAdd(
                    c, saturatingAdd(cost(entry.key(), scope), cost(entry.value(), scope)));
          }
          yield c;
        }
        case STRUCT -> {
          long c = STRUCT_CREATE_BASE_COST;
          for (var entry : e.struct().entries()) {
            c = saturatingAdd(c, cost(entry.value(), scope));
          }
          yield c;
        }
        case COMPREHENSION -> comprehension(e.comprehension(), scope);
        case CALL -> call(e.call(), scope);
      };
    }

    private long sum(long base, List<CelExpr> exprs, Map<String, Value> scope) {
      long c = base;
      for (CelExpr x : exprs) {
        c = saturatingAdd(c, cost(x, scope));
      }
      return c;
    }

    private long comprehension(CelExpr.CelComprehension c, Map<String, Value> scope) {
      Value range = value(c.iterRange(), scope);
      Map<String, Value> inner = new HashMap<>(scope);
      Value element = range.element();
      if (range.schema() != null
          && "object".equals(range.schema().getType())
          && !c.iterVar().isEmpty()) {
        // Iterating a map binds its keys: strings of unknown length.
        inner.put(c.iterVar(), Value.UNKNOWN);
        if (!c.iterVar2().isEmpty()) {
          inner.put(c.iterVar2(), element);
        }
      } else {
        inner.put(c.iterVar(), element);
        if (!c.iterVar2().isEmpty()) {
          inner.put(c.iterVar2(), Value.UNKNOWN);
        }
      }
      inner.put(c.accuVar(), Value.UNKNOWN);
      long perIteration = saturatingAdd(cost(c.loopCondition(), inner), cost(c.loopStep(), inner));
      long total = saturatingAdd(cost(c.iterRange(), scope), cost(c.accuInit(), scope));
      total = saturatingAdd(total, saturatingMul(range.size(), perIteration));
      Map<String, Value> resultScope = new HashMap<>(scope);
      resultScope.put(c.accuVar(), Value.UNKNOWN);
      return saturatingAdd(total, cost(c.result(), resultScope));
    }

    private long call(CelExpr.CelCall call, Map<String, Value> scope) {
      List<CelExpr> operands = new ArrayList<>();
      call.target().ifPresent(operands::add);
      operands.addAll(call.args());
      long argCost = sum(0, operands, scope);
      List<Value> values = operands.stream().map(o -> value(o, scope)).toList();
      long own =
          switch (call.function()) {
            case "matches" -> {
              long str =
                  traversal(saturatingAdd(values.get(0).size(), 1), STRING_TRAVERSAL_COST_FACTOR);
              long regex = traversal(values.get(1).size(), REGEX_STRING_LENGTH_COST_FACTOR);
              yield saturatingMul(str, regex);
            }
            case "contains", "startsWith", "endsWith" ->
                saturatingMul(
                    Math.max(1, traversal(values.get(0).size(), STRING_TRAVERSAL_COST_FACTOR)),
                    Math.max(1, traversal(values.get(1).size(), STRING_TRAVERSAL_COST_FACTOR)));
            case "_&&_", "_||_", "_?_:_", "!_", "@not_strictly_false", "size", "has", "_[_]" -> 1;
            case "_<_", "_<=_", "_>_", "_>=_", "-_", "_-_", "_*_", "_/_", "_%_" ->
                values.stream().allMatch(Value::scalar) ? 1 : traverseAll(values);
            // Equality, concatenation, membership and every function this model does not know:
            // one traversal of each argument's largest serialization on top of the call.
            default -> saturatingAdd(1, traverseAll(values));
          };
      return saturatingAdd(argCost, own);
    }

    private long traverseAll(List<Value> values) {
      long c = 0;
      for (Value v : values) {
        if (!v.scalar()) {
          c = saturatingAdd(c, traversal(v.serialized(), STRING_TRAVERSAL_COST_FACTOR));
        }
      }
      return c;
    }

    /** What an expression refers to, for sizes: schema nodes through self, selects and indexes. */
    private Value value(CelExpr e, Map<String, Value> scope) {
      return switch (e.getKind()) {
        case IDENT -> scope.getOrDefault(e.ident().name(), Value.UNKNOWN);
        case SELECT ->
            e.select().testOnly()
                ? Value.UNKNOWN
                : value(e.select().operand(), scope).field(e.select().field());
        case CONSTANT ->
            switch (e.constant().getKind()) {
              case STRING_VALUE -> new Value(null, (long) e.constant().stringValue().length());
              case BYTES_VALUE -> new Value(null, (long) e.constant().bytesValue().size());
              default -> Value.SCALAR;
            };
        case CALL ->
            switch (e.call().function()) {
              case "_[_]" -> value(e.call().args().get(0), scope).element();
              case "size",
                  "_==_",
                  "_!=_",
                  "_<_",
                  "_<=_",
                  "_>_",
                  "_>=_",
                  "_&&_",
                  "_||_",
                  "!_",
                  "@in",
                  "has",
                  "matches",
                  "contains",
                  "startsWith",
                  "endsWith" ->
                  Value.SCALAR;
              default -> Value.UNKNOWN;
            };
        default -> Value.UNKNOWN;
      };
    }
  }
}
