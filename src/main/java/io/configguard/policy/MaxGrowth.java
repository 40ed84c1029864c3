package io.configguard.policy;

/** On UPDATE, new count (or bytes) must not exceed old x ratio: the Cloudflare doubling. */
record MaxGrowth(JsonPath path, double ratio) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    long[] m = ChangeRatio.measure(subject, path);
    if (m == null || m[0] == 0) {
      return;
    }
    double actual = (double) m[1] / m[0];
    if (actual > ratio) {
      findings.add(
          subject.location(),
          ChangeRatio.what(subject, path)
              + " grew from "
              + m[0]
              + " to "
              + m[1]
              + " "
              + ChangeRatio.unit(path)
              + " (ratio "
              + ChangeRatio.ratio(actual)
              + " > "
              + ChangeRatio.limit(ratio)
              + ")");
    }
  }
}
