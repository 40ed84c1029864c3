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
            .addRuntimeLibraries(CelExtensions.strings())
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
      int before = reasons.size();
      PolicyCost.cel(ast, field, reasons);
      if (reasons.size() > before) {
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
}
