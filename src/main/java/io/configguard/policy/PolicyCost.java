package io.configguard.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static worst-case cost of a policy, estimated when it is compiled (as the API server does for
 * ValidatingAdmissionPolicy): a policy whose estimate is over a bound is refused with the reason
 * and its field, before it can run. What is estimated: the program size of every literal regex of a
 * CEL expression, how many times the strings and lists an expression builds can outgrow its inputs,
 * and how many subschemas a JSON Schema applies to one value (see {@link SchemaCost}).
 */
final class PolicyCost {
  /**
   * Most a CEL expression's strings and lists may outgrow its inputs: a value built by the
   * expression is at most this many times the size of the object and the expression's literals.
   */
  static final double MAX_CEL_GROWTH = 16;

  private PolicyCost() {}

  /** Adds a reason for each bound the expression's AST exceeds. */
  static void cel(CelAbstractSyntaxTree ast, String field, List<String> reasons) {
    CelExpr root = ast.getExpr();
    regexes(root, field, reasons);
    Growth estimate = new Growth(ast);
    estimate.of(root, new HashMap<>());
    double growth = estimate.max;
    if (growth > MAX_CEL_GROWTH) {
      reasons.add(
          field
              + ": the strings or lists it builds can grow to "
              + (growth >= 1e15 ? "an unbounded multiple" : String.format("%.0f times", growth))
              + " the size of its inputs (object and literals); at most "
              + (long) MAX_CEL_GROWTH
              + " is allowed (replace, join, + and comprehensions multiply sizes)");
    }
  }

  private static void regexes(CelExpr expr, String field, List<String> reasons) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CALL && expr.call().function().equals("matches")) {
      List<CelExpr> operands = operands(expr);
      CelExpr pattern = operands.get(operands.size() - 1);
      String literal = string(pattern);
      if (literal != null) {
        String problem = Regexes.problem(literal);
        if (problem != null) {
          reasons.add(field + ": regex \"" + brief(literal) + "\": " + problem);
        }
      }
    }
    children(expr).forEach(c -> regexes(c, field, reasons));
  }

  private static String brief(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }

  static String string(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
            && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE
        ? expr.constant().stringValue()
        : null;
  }

  /** Target first, then the arguments. */
  static List<CelExpr> operands(CelExpr call) {
    List<CelExpr> out = new java.util.ArrayList<>();
    call.call().target().ifPresent(out::add);
    out.addAll(call.call().args());
    return out;
  }

  static List<CelExpr> children(CelExpr expr) {
    List<CelExpr> out = new java.util.ArrayList<>();
    switch (expr.getKind()) {
      case CALL -> out.addAll(operands(expr));
      case SELECT -> out.add(expr.select().operand());
      case LIST -> out.addAll(expr.list().elements());
      case MAP ->
          expr.map()
              .entries()
              .forEach(
                  e -> {
                    out.add(e.key());
                    out.add(e.value());
                  });
      case STRUCT -> expr.struct().entries().forEach(e -> out.add(e.value()));
      case COMPREHENSION -> {
        var c = expr.comprehension();
        out.add(c.iterRange());
        out.add(c.accuInit());
        out.add(c.loopCondition());
        out.add(c.loopStep());
        out.add(c.result());
      }
      default -> {}
    }
    return out;
  }

  /**
   * The growth factor g of an expression: the strings and lists it evaluates to are at most g times
   * the size of the inputs (object, request, literals). Scalars have 0; concatenation adds; replace
   * with a longer literal multiplies by the ratio; join multiplies by the separator; a
   * comprehension's result grows as its step does per element of its range.
   */
  static final class Growth {
    private static final double UNBOUNDED = 1e18;

    /** Functions whose result is a scalar (bool, number) or no larger than one operand. */
    private static final Set<String> SCALAR =
        Set.of(
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
            "@not_strictly_false",
            "size",
            "contains",
            "startsWith",
            "endsWith",
            "matches",
            "int",
            "uint",
            "double",
            "bool",
            "duration",
            "timestamp",
            "indexOf",
            "lastIndexOf",
            "has",
            "type",
            "_-_",
            "_*_",
            "_/_",
            "_%_",
            "-_",
            "getDayOfMonth",
            "getDayOfWeek",
            "getDayOfYear",
            "getFullYear",
            "getHours",
            "getMilliseconds",
            "getMinutes",
            "getMonth",
            "getSeconds",
            "charAt");

    /** Functions whose result is at most as large as their receiver or first operand. */
    private static final Set<String> SHRINKING =
        Set.of(
            "_[_]",
            "substring",
            "trim",
            "lowerAscii",
            "upperAscii",
            "reverse",
            "split",
            "string",
            "bytes",
            "dyn",
            "_?_:_");

    private static final Set<CelKind> SCALAR_KINDS =
        Set.of(
            CelKind.BOOL,
            CelKind.INT,
            CelKind.UINT,
            CelKind.DOUBLE,
            CelKind.DURATION,
            CelKind.TIMESTAMP,
            CelKind.NULL_TYPE,
            CelKind.TYPE);

    private final CelAbstractSyntaxTree ast;

    /** The largest growth of any value the expression builds on its way. */
    double max;

    Growth(CelAbstractSyntaxTree ast) {
      this.ast = ast;
    }

    double of(CelExpr expr, Map<String, Double> env) {
      double g = node(expr, env);
      if (ast.getType(expr.id()).map(t -> SCALAR_KINDS.contains(t.kind())).orElse(false)) {
        g = 0;
      }
      max = Math.max(max, g);
      return g;
    }

    private double node(CelExpr expr, Map<String, Double> env) {
      return switch (expr.getKind()) {
        case CONSTANT -> 1;
        case IDENT -> env.getOrDefault(expr.ident().name(), 1.0);
        case SELECT -> of(expr.select().operand(), env);
        case LIST -> literals(expr.list().elements(), env);
        case MAP -> {
          List<CelExpr> parts = new java.util.ArrayList<>();
          expr.map()
              .entries()
              .forEach(
                  e -> {
                    parts.add(e.key());
                    parts.add(e.value());
                  });
          yield literals(parts, env);
        }
        case STRUCT -> {
          double g = 0;
          for (var e : expr.struct().entries()) {
            g = cap(g + of(e.value(), env));
          }
          yield g;
        }
        case COMPREHENSION -> comprehension(expr, env);
        case CALL -> call(expr, env);
        default -> 1;
      };
    }

    private double comprehension(CelExpr expr, Map<String, Double> env) {
      var c = expr.comprehension();
      double range = of(c.iterRange(), env);
      Map<String, Double> inner = new HashMap<>(env);
      inner.put(c.iterVar(), range);
      inner.put(c.accuVar(), 0.0);
      // Over all iterations the elements sum to the range: the step's growth applies once to it.
      double step = of(c.loopStep(), inner);
      of(c.loopCondition(), inner);
      double accu = cap(of(c.accuInit(), env) + step);
      inner.put(c.accuVar(), accu);
      return of(c.result(), inner);
    }

    private double call(CelExpr expr, Map<String, Double> env) {
      String f = expr.call().function();
      List<CelExpr> ops = operands(expr);
      if (SCALAR.contains(f)) {
        ops.forEach(o -> of(o, env));
        return 0;
      }
      if (f.equals("_?_:_") && ops.size() == 3) {
        of(ops.get(0), env);
        return Math.max(of(ops.get(1), env), of(ops.get(2), env));
      }
      if (SHRINKING.contains(f) && !ops.isEmpty()) {
        double g = of(ops.get(0), env);
        ops.subList(1, ops.size()).forEach(o -> of(o, env));
        return g;
      }
      if (f.equals("replace") && ops.size() >= 3) {
        double s = of(ops.get(0), env);
        String from = string(ops.get(1));
        String to = string(ops.get(2));
        ops.subList(1, ops.size()).forEach(o -> of(o, env));
        if (to == null || from == null) {
          return to == null ? UNBOUNDED : s;
        }
        double ratio = from.isEmpty() ? 1 + to.length() : (double) to.length() / from.length();
        return cap(s * Math.max(1, ratio) + (from.isEmpty() ? 1 : 0));
      }
      if (f.equals("join") && !ops.isEmpty()) {
        double list = of(ops.get(0), env);
        if (ops.size() == 1) {
          return list;
        }
        String separator = string(ops.get(1));
        of(ops.get(1), env);
        return separator == null ? UNBOUNDED : cap(list * (1 + separator.length()));
      }
      if (f.equals("quote") || f.equals("strings.quote")) {
        return cap(6 * sum(ops, env));
      }
      return sum(ops, env);
    }

    /** Constants are distinct parts of the literals, together at most 1; the rest add up. */
    private double literals(List<CelExpr> exprs, Map<String, Double> env) {
      double g = 0;
      boolean constant = false;
      for (CelExpr e : exprs) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
          constant = true;
        } else {
          g = cap(g + of(e, env));
        }
      }
      return constant ? cap(g + 1) : g;
    }

    private double sum(List<CelExpr> exprs, Map<String, Double> env) {
      double g = 0;
      for (CelExpr e : exprs) {
        g = cap(g + of(e, env));
      }
      return g;
    }

    private static double cap(double g) {
      return Math.min(g, UNBOUNDED);
    }
  }
}
