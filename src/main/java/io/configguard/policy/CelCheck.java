package io.configguard.policy;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.exceptions.CelIterationLimitExceededException;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;

/**
 * A CEL expression that must be true. Evaluation is traced: every evaluated node (and every 16
 * characters of a string it produces) costs one unit, and the trace stops the evaluation when the
 * cost limit or the time budget is reached, since cel-java 0.14 has no runtime cost limit of its
 * own. A false result, a non-bool result or a runtime error is a violation, never an exception.
 */
record CelCheck(CelRuntime.Program program, String expression, String message, long costLimit)
    implements Check {

  @Override
  public boolean needsObject() {
    return false;
  }

  @Override
  public void check(Subject subject, Findings findings) {
    Evaluation ev = subject.ev();
    Cost cost = new Cost(costLimit, ev.documents());
    Object result;
    Cost outer = CURRENT.get();
    CURRENT.set(cost);
    try {
      result = program.trace(ev.celVariables(), cost);
    } catch (CelEvaluationException e) {
      Throwable cause = e.getCause();
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof BudgetExceeded budget) {
          throw budget;
        }
        if (t instanceof OverBudget over) {
          throw over;
        }
        if (t instanceof CostExceeded) {
          cause = t;
        }
      }
      if (cause instanceof CostExceeded) {
        throw new OverBudget(
            "CEL cost limit " + costLimit + " exceeded (" + expression(expression) + ")");
      } else if (cause instanceof CelIterationLimitExceededException) {
        findings.add("", "CEL comprehension iteration limit exceeded: " + e.getMessage());
      } else {
        findings.add("", "CEL error: " + e.getMessage() + " (" + expression(expression) + ")");
      }
      return;
    } finally {
      CURRENT.set(outer);
    }
    if (!(result instanceof Boolean)) {
      findings.add(
          "",
          "CEL expression returned "
              + (result == null ? "null" : result.getClass().getSimpleName())
              + ", not bool ("
              + expression(expression)
              + ")");
    } else if (!(Boolean) result) {
      findings.add(
          "",
          message != null && !message.isBlank()
              ? message
              : "CEL expression is false: " + expression(expression));
    }
  }

  private static String expression(String cel) {
    String flat = cel.replaceAll("\\s+", " ").trim();
    return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
  }

  /** The cost of the evaluation running on this thread, for functions that charge in advance. */
  private static final ThreadLocal<Cost> CURRENT = new ThreadLocal<>();

  /**
   * Charges a string of {@code chars} characters before it is built (one unit per 16, as the trace
   * charges a built one); throws once over the limit, so the string is never built.
   */
  static void charge(long chars) {
    Cost cost = CURRENT.get();
    if (cost != null) {
      cost.charge(chars / 16);
    }
  }

  /** Thrown from the trace when the cost limit is reached. */
  static final class CostExceeded extends RuntimeException {
    CostExceeded() {
      super("CEL cost limit exceeded", null, false, false);
    }
  }

  /**
   * Counts evaluation steps and checks the deadline every 1024 steps. Once it stops an evaluation
   * it throws on every later step too: CEL's logical operators absorb an error from one side, so a
   * single throw could be swallowed and the evaluation would go on.
   */
  private static final class Cost implements CelEvaluationListener {
    private final long limit;
    private final Documents documents;
    private long cost;
    private int steps;
    private RuntimeException stop;

    Cost(long limit, Documents documents) {
      this.limit = limit;
      this.documents = documents;
    }

    void charge(long units) {
      if (stop != null) {
        throw stop;
      }
      cost += units;
      if (cost > limit) {
        throw stop = new CostExceeded();
      }
    }

    @Override
    public void callback(CelExpr expr, Object value) {
      if (stop != null) {
        throw stop;
      }
      cost += value instanceof String s ? 1 + s.length() / 16 : 1;
      if (cost > limit) {
        throw stop = new CostExceeded();
      }
      if ((++steps & 1023) == 0) {
        try {
          documents.checkDeadline();
        } catch (BudgetExceeded e) {
          throw stop = e;
        }
      }
    }
  }
}
