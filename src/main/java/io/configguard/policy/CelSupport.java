package io.configguard.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
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
            .maxRegexProgramSize(10_000)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .build();
    this.cel =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(CelExtensions.strings())
            .addRuntimeLibraries(CelExtensions.strings())
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("parsed", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();
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
      if (!literalProblems(ast, expression, field, reasons)) {
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
