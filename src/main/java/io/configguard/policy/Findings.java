package io.configguard.policy;

import io.configguard.api.Enforcement;
import java.util.List;

/**
 * Collects the violations of one check on one subject, keeping the first {@link #CAP} and summing
 * up the rest, so a file with thousands of duplicates yields a readable denial.
 */
final class Findings {
  static final int CAP = 20;

  private final List<Violation> sink;
  private final String policy;
  private final String rule;
  private final Enforcement enforcement;
  private String lastLocation = "";
  private int count;

  Findings(List<Violation> sink, String policy, String rule, Enforcement enforcement) {
    this.sink = sink;
    this.policy = policy;
    this.rule = rule;
    this.enforcement = enforcement;
  }

  /** Makes the findings of one check run, for a policy whose rule is named when it runs. */
  record Factory(List<Violation> sink, String policy, Enforcement enforcement) {
    Findings forRule(String rule) {
      return new Findings(sink, policy, rule, enforcement);
    }
  }

  void add(String location, String message) {
    if (++count <= CAP) {
      sink.add(new Violation(policy, rule, enforcement, location, message));
      lastLocation = location;
    }
  }

  /** Adds the "... and N more" line when the cap was reached; returns the findings counted. */
  int close() {
    if (count > CAP) {
      sink.add(
          new Violation(
              policy,
              rule,
              enforcement,
              lastLocation,
              "... and " + (count - CAP) + " more like the above"));
    }
    return count;
  }
}
