package io.configguard.policy;

/**
 * Total size: the data and binaryData values of a ConfigMap (those matching the rule's key, if it
 * has one), or the JSON of any other object.
 */
record MaxTotalBytes(long max, Glob key) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Evaluation ev = subject.ev();
    if (ev.target().kind().isConfigMap()) {
      // Measured only when the values' lengths cannot tell (see ConfigValue#exceeds).
      long total = total(ev, ConfigValue::mostBytes);
      if (total > max) {
        total = total(ev, ConfigValue::bytes);
      }
      if (total > max) {
        findings.add(
            "", "data and binaryData total " + total + " bytes, exceeds maxTotalBytes " + max);
      }
    } else {
      long size = Json.size(ev.target().object());
      if (size > max) {
        findings.add("", "object is " + size + " bytes of JSON, exceeds maxTotalBytes " + max);
      }
    }
  }

  /** The sum of {@code size} over the values this rule reads. */
  private long total(Evaluation ev, java.util.function.ToLongFunction<ConfigValue> size) {
    long total = 0;
    for (ConfigValue entry : ev.documents().entries(false).values()) {
      if (key == null || key.matches(entry.key())) {
        total += size.applyAsLong(entry);
      }
    }
    return total;
  }
}
