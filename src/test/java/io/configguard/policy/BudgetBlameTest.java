package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 18: an overrun of the time budget is blamed on the rule that spent it, not on the
 * next rule that looks at the clock; and it is reported as an overrun (counted by the webhook).
 */
class BudgetBlameTest {
  static final Limits TIGHT = new Limits(64, 50, 3L << 20, 100_000, Duration.ofMillis(20));

  @Test
  void theRuleThatSpentTheBudgetIsNamed() throws Exception {
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                """
                kind: ClusterConfigPolicy
                metadata: {name: p}
                spec:
                  rules:
                    - {name: parse, key: big.json, format: json}
                    - {name: keys, maxKeys: 100}
                """),
            new PolicyCompiler(TIGHT));
    // About a million nodes: parsing takes far longer than 20 ms, and a parse does not look at
    // the clock; the next rule does.
    String big = "[" + "{},".repeat(1_000_000) + "{}]";
    Verdict verdict =
        PolicySet.of(List.of(policy)).evaluate(Target.create(configMap(Map.of("big.json", big))));
    assertThat(Fixtures.lines(verdict.violations()))
        .singleElement()
        .asString()
        .startsWith("p/parse: evaluation exceeded time budget of 20 ms (p/parse ran ");
    assertThat(verdict.overruns()).hasSize(1);
  }

  @Test
  void aCelCostOverrunIsReportedAsAnOverrunAndTheOtherRulesStillRun() throws Exception {
    PolicyCompiler compiler =
        new PolicyCompiler(new Limits(64, 50, 3L << 20, 20_000, Duration.ofSeconds(60)));
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                """
            kind: ClusterConfigPolicy
            metadata: {name: p}
            spec:
             rules:
              - name: spin
                cel: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b,
                  [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d,
                  [1,2,3,4,5,6,7,8,9,10].all(e, a + b + c + d + e > 0)))))"
              - {name: keys, maxKeys: 0}
            """),
            compiler);
    Verdict verdict =
        PolicySet.of(List.of(policy)).evaluate(Target.create(configMap(Map.of("a", "1"))));
    assertThat(Fixtures.lines(verdict.violations()))
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).startsWith("p/spin: CEL cost limit 20000 exceeded"))
        .anySatisfy(l -> assertThat(l).startsWith("p/keys: "));
    assertThat(Fixtures.lines(verdict.overruns()))
        .singleElement()
        .asString()
        .startsWith("p/spin: CEL cost limit");
  }
}
