package io.configguard.policy;

import io.configguard.api.Enforcement;
import java.util.List;

/**
 * Every violation found for one target, across all policies that matched it, and the policies an
 * exception exempted it from.
 *
 * @param overruns the violations among them that are a bound reached at run time (time budget, CEL
 *     cost, schema errors): the rule failed closed without a verdict on the content
 */
public record Verdict(
    List<Violation> violations, List<Exemption> exemptions, List<Violation> overruns) {
  public static final Verdict CLEAN = new Verdict(List.of());

  public Verdict(List<Violation> violations) {
    this(violations, List.of());
  }

  public Verdict(List<Violation> violations, List<Exemption> exemptions) {
    this(violations, exemptions, List.of());
  }

  public List<Violation> with(Enforcement enforcement) {
    return violations.stream().filter(v -> v.enforcement() == enforcement).toList();
  }

  public boolean denied() {
    return violations.stream().anyMatch(v -> v.enforcement() == Enforcement.Deny);
  }
}
