package io.configguard.policy;

/** The value parses strictly in the rule's format; a failure names line and column. */
record FormatCheck() implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed parsed = subject.document();
    if (!parsed.ok()) {
      String where = subject.key() != null ? "" : subject.base() + ": ";
      String error = parsed.error();
      if (subject.ev().isSecret()) {
        // A parser's message may quote the text it choked on: keep only where it is.
        int detail = error.indexOf(": ");
        error = (detail < 0 ? error : error.substring(0, detail)) + ": " + Evaluation.REDACTED;
      }
      findings.add(subject.location(), where + error);
    }
  }
}
