package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 5: regular expressions are bounded statically (program size, before compiling) and
 * at run time (the deadline is checked while a match runs).
 */
class RegexBoundsTest {
  static final String BIG_CEL = "(a|b|c|d|e|f|g|h){1000}z";
  static final String BIG_SCHEMA = "((a|b|c|d|e|f|g|h){1000}){8}z";

  @Test
  void theEstimateBoundsTheProgramSize() {
    for (String re :
        new String[] {
          "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
          BIG_CEL,
          "[a-h]{1000}z",
          "(a|b){1000}",
          "x{3,}",
          "[]a]{2}",
          "\\p{Greek}+"
        }) {
      assertThat(Regexes.estimate(re))
          .as(re)
          .isGreaterThanOrEqualTo(com.google.re2j.Pattern.compile(re).programSize());
    }
  }

  @Test
  void aNestedRepetitionIsRefusedBeforeItIsCompiled() {
    // Compiling this with RE2J exhausts a 2 GB heap.
    assertThat(Regexes.problem("((a{1000}){1000}){1000}"))
        .startsWith("its repetitions multiply to more than 100000 instructions");
    assertThat(Regexes.problem(BIG_CEL))
        .isEqualTo("compiles to 3003 RE2 instructions, more than the limit of 1000");
    assertThat(Regexes.problem("^[a-z0-9.-]+$")).isNull();
  }

  @Test
  void aSchemaPatternOverTheProgramSizeIsDeniedAtAdmission() {
    assertThatThrownBy(
            () ->
                Fixtures.rule(
                    "key: a.json\nformat: json\njsonSchema: {type: string, pattern: '"
                        + BIG_SCHEMA
                        + "'}"))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("spec.rules[0].jsonSchema: $.pattern: its repetitions multiply");
  }

  @Test
  void aCelLiteralPatternOverTheProgramSizeIsDeniedAtAdmission() {
    assertThatThrownBy(
            () -> Fixtures.rule("cel: \"object.metadata.name.matches('" + BIG_CEL + "')\""))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("spec.rules[0].cel: regex")
        .hasMessageContaining("compiles to 3003 RE2 instructions");
  }

  @Test
  void aCelPatternBuiltAtRunTimeIsRefusedAtRunTime() throws Exception {
    Policy policy =
        Fixtures.rule("cel: \"object.data.v.matches('(a|b|c|d|e|f|g|h)' + object.data.n)\"");
    assertThat(report(policy, Target.create(configMap(Map.of("v", "ab", "n", "{1000}z")))))
        .singleElement()
        .asString()
        .startsWith("regex refused: compiles to 3003 RE2 instructions");
  }

  /** A match on a large value stops at the deadline: no longer "allowed" after seconds. */
  @Test
  void aLongMatchStopsAtTheDeadline() throws Exception {
    Limits tight = new Limits(64, 50, 3L << 20, 100_000, Duration.ofMillis(20));
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                "kind: ClusterConfigPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - {name: r,"
                    + " cel: \"!object.data.v.matches('[a-h]{900}z')\"}"),
            new PolicyCompiler(tight));
    String value = "ab".repeat(50_000);
    assertThat(report(policy, Target.create(configMap(Map.of("v", value)))))
        .singleElement()
        .asString()
        .startsWith("evaluation exceeded time budget of 20 ms");
  }

  @Test
  void aLongSchemaPatternMatchStopsAtTheDeadline() throws Exception {
    Limits limits = new Limits(64, 50, 3L << 20, 100_000, Duration.ofMillis(100));
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                "kind: ClusterConfigPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - {name: r, key:"
                    + " v.json, format: json, jsonSchema: {type: string, not: {pattern:"
                    + " '[a-h]{900}z'}}}"),
            new PolicyCompiler(limits));
    // Warm: parsing a 100 KB string takes about a millisecond; matching it takes seconds.
    assertThat(report(policy, Target.create(configMap(Map.of("v.json", "\"ab\""))))).isEmpty();
    String value = "\"" + "ab".repeat(50_000) + "\"";
    assertThat(report(policy, Target.create(configMap(Map.of("v.json", value)))))
        .singleElement()
        .asString()
        .startsWith("evaluation exceeded time budget of 100 ms");
  }
}
