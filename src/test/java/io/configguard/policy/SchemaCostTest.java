package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 3: a JSON Schema is refused at admission when its $ref/anyOf expansion applies too
 * many subschemas to one value; and validation runs under the evaluation's time budget with a cap
 * on collected errors.
 */
class SchemaCostTest {
  /** The 2.3 KB attack: level n is anyOf of two $refs to level n-1. */
  static String chainedDefs(int levels) {
    StringBuilder defs = new StringBuilder("{l0: {type: integer}");
    for (int n = 1; n <= levels; n++) {
      defs.append(", l")
          .append(n)
          .append(": {anyOf: [{$ref: '#/$defs/l")
          .append(n - 1)
          .append("'}, {$ref: '#/$defs/l")
          .append(n - 1)
          .append("'}]}");
    }
    return "{$defs: " + defs + "}, $ref: '#/$defs/l" + levels + "'}";
  }

  @Test
  void theChainedDefsBombIsRefusedWithItsField() {
    assertThatThrownBy(
            () -> Fixtures.rule("key: a.json\nformat: json\njsonSchema: " + chainedDefs(22)))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageStartingWith(
            "spec.rules[0].jsonSchema: applies 16777214 subschemas to one value (at depth 0), more"
                + " than the limit of 1000");
  }

  @Test
  void expansionThroughDescendingLevelsIsCountedToo() {
    // Each level: anyOf of two refs to the next level, one property down.
    StringBuilder defs = new StringBuilder("{l0: {type: integer}");
    for (int n = 1; n <= 12; n++) {
      defs.append(", l")
          .append(n)
          .append(": {properties: {a: {anyOf: [{$ref: '#/$defs/l")
          .append(n - 1)
          .append("'}, {$ref: '#/$defs/l")
          .append(n - 1)
          .append("'}]}}}");
    }
    String schema = "{$defs: " + defs + "}, $ref: '#/$defs/l12'}";
    assertThatThrownBy(() -> Fixtures.rule("key: a.json\nformat: json\njsonSchema: " + schema))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("subschemas to one value (at depth 12)");
  }

  @Test
  void aRefCycleThatDoesNotDescendIsRefused() {
    assertThatThrownBy(
            () ->
                Fixtures.rule(
                    "key: a.json\nformat: json\njsonSchema: {$defs: {a: {$ref: '#/$defs/b'}, b:"
                        + " {allOf: [{$ref: '#/$defs/a'}]}}, $ref: '#/$defs/a'}"))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("refers back to itself without descending");
  }

  @Test
  void ordinarySchemasCompile() throws Exception {
    for (String schema :
        List.of(
            chainedDefs(6),
            "{$defs: {node: {type: object, properties: {name: {type: string}, children: {type:"
                + " array, items: {$ref: '#/$defs/node'}}}}}, $ref: '#/$defs/node'}",
            "{type: object, required: [features], properties: {features: {type: array, items:"
                + " {type: object, properties: {name: {type: string, pattern: '^[a-z_0-9]+$'},"
                + " enabled: {type: boolean}}}}}}")) {
      assertThat(Fixtures.rule("key: a.json\nformat: json\njsonSchema: " + schema).ruleNames())
          .containsExactly("r");
    }
  }

  @Test
  void collectedErrorsAreCapped() throws Exception {
    Policy policy =
        Fixtures.rule(
            "key: a.json\nformat: json\njsonSchema: {type: array, items: {type: string}}");
    String ints = "[" + "1,".repeat(4999) + "1]";
    List<String> report = report(policy, Target.create(configMap(Map.of("a.json", ints))));
    assertThat(report)
        .first()
        .isEqualTo("a.json: jsonSchema: validation stopped after 1000 errors; the first follow");
    assertThat(report).last().isEqualTo("a.json: ... and 981 more like the above");
  }

  /** A long validation of a valid document stops at the deadline; it was allowed after seconds. */
  @Test
  void aLongValidationStopsAtTheDeadline() throws Exception {
    Limits limits = new Limits(64, 50, 3L << 20, 100_000, Duration.ofMillis(100));
    String allOf = "{type: object}, ".repeat(199) + "{type: object}";
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                "kind: ClusterConfigPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - {name: r,"
                    + " key: a.json, format: json, jsonSchema: {type: array, items: {allOf: ["
                    + allOf
                    + "]}}}"),
            new PolicyCompiler(limits));
    // Warm; then 20,000 items: parsed in milliseconds, 4 million subschema applications.
    assertThat(report(policy, Target.create(configMap(Map.of("a.json", "[{}]"))))).isEmpty();
    String doc = "[" + "{},".repeat(20_000) + "{}]";
    assertThat(report(policy, Target.create(configMap(Map.of("a.json", doc)))))
        .singleElement()
        .asString()
        .startsWith("evaluation exceeded time budget of 100 ms");
  }
}
