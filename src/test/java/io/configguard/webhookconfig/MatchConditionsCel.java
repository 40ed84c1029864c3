package io.configguard.webhookconfig;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles and evaluates webhook matchConditions with cel-java the way the API server does: the
 * variables object, oldObject and request, standard functions and macros only (no extension
 * library), a bool result, and every condition must be true for the webhook to be called. An
 * evaluation error is thrown, never taken as an answer: on the API server it would refuse the write
 * (failurePolicy Fail).
 */
final class MatchConditionsCel {
  /** The fields of kubernetes.AdmissionRequest the API server declares for matchConditions. */
  static final List<String> REQUEST_FIELDS =
      List.of(
          "kind",
          "resource",
          "subResource",
          "requestKind",
          "requestResource",
          "requestSubResource",
          "name",
          "namespace",
          "operation",
          "userInfo",
          "dryRun",
          "options");

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .setResultType(SimpleType.BOOL)
          .build();

  private static final Pattern REQUEST_FIELD = Pattern.compile("request\\.([A-Za-z]+)");

  private MatchConditionsCel() {}

  /** Compiles the expression; throws with the CEL error when it does not. */
  static void compile(String expression) {
    if (PROGRAMS.containsKey(expression)) {
      return;
    }
    try {
      CEL.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new AssertionError("does not compile: " + expression + "\n" + e.getMessage(), e);
    }
    Matcher m = REQUEST_FIELD.matcher(expression);
    while (m.find()) {
      if (!REQUEST_FIELDS.contains(m.group(1))) {
        throw new AssertionError("request." + m.group(1) + " is not an AdmissionRequest field");
      }
    }
  }

  private static final Map<String, dev.cel.runtime.CelRuntime.Program> PROGRAMS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static boolean evaluate(String expression, Request request) {
    try {
      var program = PROGRAMS.get(expression);
      if (program == null) {
        program = CEL.createProgram(CEL.compile(expression).getAst());
        PROGRAMS.put(expression, program);
      }
      Object out = program.eval(request.variables());
      return (Boolean) out;
    } catch (CelValidationException | CelEvaluationException e) {
      throw new AssertionError(
          "evaluation error (the API server would refuse the write): "
              + e.getMessage()
              + "\n on "
              + request
              + "\n in "
              + expression,
          e);
    }
  }

  /** Whether the API server would call the webhook: every condition true. */
  static boolean sent(List<MatchCondition> conditions, Request request) {
    boolean all = true;
    for (MatchCondition c : conditions == null ? List.<MatchCondition>of() : conditions) {
      compile(c.getExpression());
      // Every condition is evaluated (no short cut), so each one is proven not to error.
      all &= evaluate(c.getExpression(), request);
    }
    return all;
  }

  /** An admission request as the API server gives it to matchConditions. */
  record Request(
      String operation,
      String group,
      String kind,
      String namespace,
      String name,
      String generateName,
      Map<String, String> labels,
      Map<String, String> oldLabels) {

    static Request of(String operation, String kind, String namespace, String name) {
      int slash = kind.indexOf('/');
      String group = slash < 0 ? "" : kind.substring(0, slash);
      String k = slash < 0 ? kind : kind.substring(slash + 1);
      return new Request(operation, group, k, namespace, name, null, null, null);
    }

    Request labels(Map<String, String> labels) {
      return new Request(operation, group, kind, namespace, name, generateName, labels, oldLabels);
    }

    Request oldLabels(Map<String, String> old) {
      return new Request(operation, group, kind, namespace, name, generateName, labels, old);
    }

    /** A CREATE with generateName: the request has no name (the API server picks it later). */
    Request generated(String prefix) {
      return new Request(operation, group, kind, namespace, "", prefix, labels, oldLabels);
    }

    Map<String, Object> variables() {
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("kind", Map.of("group", group, "version", "v1", "kind", kind));
      request.put(
          "resource",
          Map.of("group", group, "version", "v1", "resource", kind.toLowerCase() + "s"));
      // omitempty: an empty name or namespace is absent, as in the API server's conversion.
      if (name != null && !name.isEmpty()) {
        request.put("name", name);
      }
      if (namespace != null && !namespace.isEmpty()) {
        request.put("namespace", namespace);
      }
      request.put("operation", operation);
      request.put("userInfo", Map.of("username", "alice"));
      Map<String, Object> vars = new HashMap<>();
      vars.put("request", request);
      vars.put(
          "object",
          operation.equals("DELETE") ? NullValue.NULL_VALUE : object(labels, generateName));
      vars.put(
          "oldObject",
          operation.equals("CREATE")
              ? NullValue.NULL_VALUE
              : object(operation.equals("DELETE") ? labels : oldLabels, null));
      return vars;
    }

    private Map<String, Object> object(Map<String, String> labels, String generate) {
      Map<String, Object> meta = new LinkedHashMap<>();
      // Validating admission sees the generated name in the object, not in request.name.
      meta.put("name", generate != null ? generate + "x7k2p" : name);
      if (generate != null) {
        meta.put("generateName", generate);
      }
      if (namespace != null && !namespace.isEmpty()) {
        meta.put("namespace", namespace);
      }
      if (labels != null) {
        meta.put("labels", labels);
      }
      return Map.of(
          "apiVersion", group.isEmpty() ? "v1" : group + "/v1", "kind", kind, "metadata", meta);
    }
  }
}
