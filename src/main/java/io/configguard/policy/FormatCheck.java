package io.configguard.policy;

/** The value parses strictly in the rule's format; a failure names line and column. */
record FormatCheck() implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed parsed = subject.document();
    if (!parsed.ok()) {
      String where = subject.key() != null ? "" : subject.base() + ": ";
      findings.add(subject.location(), where + parsed.error());
    }
  }
}
