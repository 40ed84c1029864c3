package io.configguard.policy;

/** Size of each value the rule looks at: a ConfigMap value, or a node's JSON. */
record MaxBytes(long max) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    if (subject.exceeds(max)) {
      long bytes = subject.bytes();
      String what = subject.key() != null ? "value" : subject.base().toString();
      findings.add(subject.location(), what + " is " + bytes + " bytes, exceeds maxBytes " + max);
    }
  }
}
