package io.configguard.policy;

import io.configguard.policy.path.JsonPath;

/** On UPDATE, new count (or bytes) must stay at least old x ratio: no empty or gutted output. */
record MaxShrink(JsonPath path, double ratio) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    ChangeRatio.compare(subject, path, ratio, false, findings);
  }
}
