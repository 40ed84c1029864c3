package io.configguard.policy;

import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import io.configguard.policy.path.Location;
import java.util.List;

/**
 * The document satisfies an inline JSON Schema (2020-12); each error names its instance path. The
 * validation runs under the evaluation's budget: its context checks the deadline as the validator
 * steps from keyword to keyword, and it stops collecting after {@link #MAX_ERRORS} errors.
 */
record JsonSchemaCheck(Schema schema) implements Check {
  /** Most errors collected from one document; the first {@link Findings#CAP} are shown. */
  static final int MAX_ERRORS = 1000;

  @Override
  public void check(Subject subject, Findings findings) {
    Parsed doc = subject.document();
    if (!doc.ok()) {
      return;
    }
    Budgeted context = new Budgeted();
    List<Error> errors;
    boolean stopped = false;
    try {
      errors = schema.validate(context, doc.node(), OutputFormat.DEFAULT, (c, v) -> {});
    } catch (TooManyErrors e) {
      errors = context.root;
      stopped = true;
    } catch (NumberFormatException e) {
      // YAML's .inf and .nan have no JSON value: the validator's numeric keywords cannot take
      // them. Name each such value instead of failing the evaluation.
      if (!NonFinite.report(doc.node(), subject, findings)) {
        throw e;
      }
      return;
    }
    if (stopped) {
      findings.add(
          subject.location(),
          "jsonSchema: validation stopped after " + MAX_ERRORS + " errors; the first follow");
    }
    for (Error error : errors) {
      Location at = SchemaSupport.location(subject.base(), error);
      findings.add(subject.location(), "jsonSchema: " + at + ": " + error.getMessage());
    }
  }

  private static final class TooManyErrors extends RuntimeException {
    TooManyErrors() {
      super(null, null, false, false);
    }
  }

  /** Checks the deadline every 256 keyword steps; stops at MAX_ERRORS reported errors. */
  private static final class Budgeted extends ExecutionContext {
    private final List<Error> root;
    private int steps;

    Budgeted() {
      super(ExecutionConfig.getInstance());
      root = getErrors();
    }

    @Override
    public void evaluationPathAddLast(String token) {
      if ((++steps & 255) == 0) {
        Deadline.check();
      }
      super.evaluationPathAddLast(token);
    }

    @Override
    public void evaluationPathAddLast(int token) {
      if ((++steps & 255) == 0) {
        Deadline.check();
      }
      super.evaluationPathAddLast(token);
    }

    @Override
    public void addError(Error error) {
      super.addError(error);
      if (getErrors() == root && root.size() >= MAX_ERRORS) {
        throw new TooManyErrors();
      }
    }
  }
}
