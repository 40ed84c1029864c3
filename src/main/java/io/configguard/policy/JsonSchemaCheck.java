package io.configguard.policy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;

/** The document satisfies an inline JSON Schema (2020-12); each error names its instance path. */
record JsonSchemaCheck(Schema schema) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed doc = subject.document();
    if (!doc.ok()) {
      return;
    }
    java.util.List<Error> errors;
    try {
      errors = schema.validate(doc.node());
    } catch (NumberFormatException e) {
      // YAML's .inf and .nan have no JSON value: the validator's numeric keywords cannot take
      // them. Name each such value instead of failing the evaluation.
      if (!NonFinite.report(doc.node(), subject, findings)) {
        throw e;
      }
      return;
    }
    for (Error error : errors) {
      Location at = SchemaSupport.location(subject.base(), error);
      findings.add(subject.location(), "jsonSchema: " + at + ": " + error.getMessage());
    }
  }
}
