package io.configguard.policy;

/**
 * Number of keys in a ConfigMap's data and binaryData (those matching the rule's key glob); other
 * kinds have no keys to count.
 */
record MaxKeys(long max, Glob key) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    long keys =
        subject.ev().documents().entries(false).keySet().stream()
            .filter(k -> key == null || key.matches(k))
            .count();
    if (keys > max) {
      findings.add("", keys + " keys in data and binaryData, exceeds maxKeys " + max);
    }
  }
}
