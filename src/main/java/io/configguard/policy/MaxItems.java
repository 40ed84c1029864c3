package io.configguard.policy;

import io.configguard.policy.path.JsonPath;

/** The count at a path (array or object size, or the number of nodes a wildcard selects). */
record MaxItems(JsonPath path, long max) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed doc = subject.document();
    if (!doc.ok()) {
      return;
    }
    long count = path.count(doc.node());
    if (count > max) {
      findings.add(
          subject.location(),
          count + " items at " + path.under(subject.base()) + " exceeds maxItems " + max);
    }
  }
}
