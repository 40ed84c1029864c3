package io.configguard.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.checker.CelStandardDeclarations;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelStandardFunctions;
import java.util.List;

/**
 * The CEL environment of policies: variables object, oldObject, request (dyn) and parsed
 * (map(string, dyn)), standard macros and the strings extension; bool results; regexes through RE2J
 * (linear time, as cel-java uses it for matches()).
 */
final class CelSupport {
  static final int MAX_EXPRESSION_LENGTH = 10_000;

  private final Cel cel;
  private final long costLimit;

  CelSupport(Limits limits) {
    this.costLimit = limits.celCostLimit();
    CelOptions options =
        CelOptions.current()
            .comprehensionMaxIterations((int) Math.min(Integer.MAX_VALUE, limits.celCostLimit()))
            .enableRegexPartialMatch(true)
            .maxRegexProgramSize(Regexes.MAX_PROGRAM)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .build();
    this.cel =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(CelExtensions.strings())
            // The strings extension's bindings, with replace and join charged before they build.
            .addFunctionBindings(chargedStrings())
            // matches() through Regexes: program size checked before compiling, deadline inside.
            .setStandardEnvironmentEnabled(false)
            .setStandardDeclarations(CelStandardDeclarations.newBuilder().build())
            .setStandardFunctions(
                CelStandardFunctions.newBuilder()
                    .excludeFunctions(CelStandardFunctions.StandardFunction.MATCHES)
                    .build())
            .addFunctionBindings(
                CelFunctionBinding.from(
                    "matches", String.class, String.class, (s, re) -> matches(s, re)),
                CelFunctionBinding.from(
                    "matches_string", String.class, String.class, (s, re) -> matches(s, re)))
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("parsed", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();
  }

  /** Overloads that can build a string much longer than their inputs. */
  private static final java.util.Set<String> GROWING =
      java.util.Set.of(
          "string_replace_string_string",
          "string_replace_string_string_int",
          "list_join",
          "list_join_string");

  /**
   * The strings extension's function bindings, captured from the library, with replace and join
   * wrapped so that the length of the string they are about to build is charged to the CEL cost
   * first: a cost that is only charged after a string exists cannot stop it from being built.
   */
  private static List<CelFunctionBinding> chargedStrings() {
    List<CelFunctionBinding> captured = new java.util.ArrayList<>();
    CelRuntimeBuilder capture =
        (CelRuntimeBuilder)
            java.lang.reflect.Proxy.newProxyInstance(
                CelSupport.class.getClassLoader(),
                new Class<?>[] {CelRuntimeBuilder.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("addFunctionBindings")) {
                    if (args[0] instanceof CelFunctionBinding[] array) {
                      captured.addAll(List.of(array));
                    } else {
                      ((Iterable<?>) args[0]).forEach(b -> captured.add((CelFunctionBinding) b));
                    }
                  }
                  return method.getReturnType().isInstance(proxy) ? proxy : null;
                });
    CelExtensions.strings().setRuntimeOptions(capture);
    List<CelFunctionBinding> out = new java.util.ArrayList<>();
    for (CelFunctionBinding b : captured) {
      if (!GROWING.contains(b.getOverloadId())) {
        out.add(b);
        continue;
      }
      String id = b.getOverloadId();
      out.add(
          CelFunctionBinding.from(
              id,
              b.getArgTypes(),
              args -> {
                CelCheck.charge(length(id, args));
                return b.getDefinition().apply(args);
              }));
    }
    return out;
  }

  /** The length of the string the call will build (an upper bound). */
  static long length(String overload, Object[] args) {
    if (overload.startsWith("list_join")) {
      long total = 0;
      List<?> list = (List<?>) args[0];
      for (Object o : list) {
        total += o instanceof String s ? s.length() : 0;
      }
      String separator = args.length > 1 && args[1] instanceof String s ? s : "";
      return total + (long) separator.length() * Math.max(0, list.size() - 1);
    }
    String text = (String) args[0];
    String from = (String) args[1];
    String to = (String) args[2];
    long limit = args.length > 3 && args[3] instanceof Long n && n >= 0 ? n : Long.MAX_VALUE;
    if (to.length() <= from.length()) {
      return text.length();
    }
    long count = 0;
    if (from.isEmpty()) {
      count = Math.min(limit, text.length() + 1L);
    } else {
      for (int at = text.indexOf(from);
          at >= 0 && count < limit;
          at = text.indexOf(from, at + from.length())) {
        count++;
      }
    }
    return text.length() + count * (to.length() - from.length());
  }

  private static boolean matches(String value, String regex) {
    return Regexes.find(Regexes.pattern(regex), value);
  }

  /** The compiled check, or null with every problem added to {@code reasons} under field. */
  CelCheck compile(String expression, String message, String field, List<String> reasons) {
    if (expression.isBlank()) {
      reasons.add(field + ": empty expression");
      return null;
    }
    if (expression.length() > MAX_EXPRESSION_LENGTH) {
      reasons.add(field + ": longer than " + MAX_EXPRESSION_LENGTH + " characters");
      return null;
    }
    try {
      CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
      // Cost first: a regex literal whose program is too large must not reach re2j's compiler.
      int before = reasons.size();
      PolicyCost.cel(ast, field, reasons);
      if (reasons.size() > before || !literalProblems(ast, expression, field, reasons)) {
        return null;
      }
      return new CelCheck(cel.createProgram(ast), expression, message, costLimit);
    } catch (CelValidationException e) {
      for (CelIssue issue : e.getErrors()) {
        var at = issue.getSourceLocation();
        String position = at.getLine() > 0 ? at.getLine() + ":" + (at.getColumn() + 1) + ": " : "";
        reasons.add(field + ": " + position + issue.getMessage());
      }
    } catch (CelEvaluationException e) {
      reasons.add(field + ": " + e.getMessage());
    }
    return null;
  }

  /**
   * What compiles but could only ever fail at run time, and so deny every object: a result that is
   * not statically bool (dyn, e.g. {@code object.metadata.name}), and a literal regex RE2 refuses.
   */
  private static boolean literalProblems(
      CelAbstractSyntaxTree ast, String expression, String field, List<String> reasons) {
    int before = reasons.size();
    if (!ast.getResultType().equals(SimpleType.BOOL)) {
      reasons.add(
          field
              + ": the expression is of type "
              + ast.getResultType().name()
              + ", not bool; compare it (e.g. == true) so that it yields true or false");
    }
    dev.cel.common.navigation.CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .filter(e -> e.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.CALL)
        .filter(e -> e.call().function().equals("matches") && !e.call().args().isEmpty())
        .map(e -> e.call().args().get(e.call().args().size() - 1))
        .filter(
            a ->
                a.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.CONSTANT
                    && a.constant().getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE)
        .forEach(
            a -> {
              String regex = a.constant().stringValue();
              try {
                com.google.re2j.Pattern.compile(regex);
              } catch (com.google.re2j.PatternSyntaxException e) {
                reasons.add(
                    field
                        + ": matches("
                        + quote(regex)
                        + "): invalid regex: "
                        + e.getDescription());
              }
            });
    return reasons.size() == before;
  }

  private static String quote(String regex) {
    return "'" + (regex.length() > 60 ? regex.substring(0, 57) + "..." : regex) + "'";
  }
}
