package io.configguard.policy;

import io.configguard.policy.path.JsonPath;

/** On UPDATE, new count (or bytes) must not exceed old x ratio: the Cloudflare doubling. */
record MaxGrowth(JsonPath path, double ratio) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    ChangeRatio.compare(subject, path, ratio, true, findings);
  }
}
