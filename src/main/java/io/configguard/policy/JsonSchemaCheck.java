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
    for (Error error : schema.validate(doc.node())) {
      Location at = SchemaSupport.location(subject.base(), error);
      findings.add(subject.location(), "jsonSchema: " + at + ": " + error.getMessage());
    }
  }
}
