package io.configguard.admission;

import io.configguard.api.Enforcement;
import io.configguard.policy.Exemption;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.configguard.policy.Verdicts;
import io.configguard.policy.Violation;
import io.configguard.rollout.DerivedConfigMaps;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Evaluates the policies in force and splits the violations by enforcement: Deny lines to deny
 * with, Warn lines (after the exemptions used) to warn with, Audit lines only logged. Counts the
 * violations in the metrics when asked to.
 */
final class PolicyGate {
  // Logged under the handler's category, as before the chain was split into gates.
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

  /**
   * What the policies say of a request.
   *
   * @param denials the lines of the Deny violations; the request is denied if there are any
   * @param warnings the exemptions used, then the lines of the Warn violations
   * @param violated whether any policy found a violation, whatever its enforcement
   */
  record Judgement(List<String> denials, List<String> warnings, boolean violated) {}

  private final Supplier<PolicySet> policies;
  private final Supplier<String> operatorServiceAccount;
  private final Clock clock;
  private final AdmissionMetrics metrics;

  PolicyGate(
      Supplier<PolicySet> policies,
      Supplier<String> operatorServiceAccount,
      Clock clock,
      AdmissionMetrics metrics) {
    this.policies = policies;
    this.operatorServiceAccount = operatorServiceAccount;
    this.clock = clock;
    this.metrics = metrics;
  }

  Judgement judge(Review review, Target target, boolean counted) {
    Verdict verdict =
        Verdicts.evaluate(policiesFor(review, target, policies.get()), target, clock.instant());
    List<String> exemptions = verdict.exemptions().stream().map(Exemption::line).toList();
    if (verdict.violations().isEmpty()) {
      return new Judgement(List.of(), exemptions, false);
    }
    if (counted) {
      verdict.violations().forEach(metrics::violation);
      verdict.overruns().forEach(metrics::overrun);
    }
    List<Violation> denials = verdict.with(Enforcement.Deny);
    List<String> warnings =
        Stream.concat(exemptions.stream(), Verdicts.lines(verdict.with(Enforcement.Warn)).stream())
            .toList();
    String objectName = Passage.objectName(review);
    verdict
        .with(Enforcement.Audit)
        .forEach(v -> LOG.infof("audit %s %s: %s", review.kind().kind(), objectName, v.line()));
    if (!denials.isEmpty()) {
      LOG.infof(
          "denied %s %s%s: %s",
          review.kind().kind(),
          objectName,
          review.dryRun() ? " (dry run)" : "",
          String.join(", ", policyRules(denials)));
    }
    return new Judgement(Verdicts.lines(denials), warnings, true);
  }

  /**
   * The operator's own write of a derived ConfigMap carries content that already passed every
   * policy of its source in pre-flight: those policies are not applied again (a growth rule would
   * otherwise compare a new candidate with an older failed one); all others still are.
   */
  private PolicySet policiesFor(Review review, Target target, PolicySet all) {
    String operator = operatorServiceAccount.get();
    if (operator.isEmpty() || !target.kind().isConfigMap() || target.object() == null) {
      return all;
    }
    String username = review.request().path("userInfo").path("username").asText("");
    ObjectMeta meta;
    try {
      meta = Passage.LENIENT.treeToValue(target.object().path("metadata"), ObjectMeta.class);
    } catch (IOException | IllegalArgumentException e) {
      return all;
    }
    return DerivedConfigMaps.operatorWriteSource(username, operator, meta)
        .map(source -> PolicySet.of(DerivedConfigMaps.policiesBeyondSource(all, target, source)))
        .orElse(all);
  }

  private static Set<String> policyRules(List<Violation> violations) {
    Set<String> pairs = new LinkedHashSet<>();
    violations.forEach(v -> pairs.add("policy=" + v.policy() + " rule=" + v.rule()));
    return pairs;
  }
}
