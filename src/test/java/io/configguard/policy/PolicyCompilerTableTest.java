package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.configguard.api.Rule;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link PolicyCompiler}'s table of checks covers every field of {@link Rule}, once. */
class PolicyCompilerTableTest {
  /** Fields of Rule that select what a rule reads or name it; they are not checks. */
  private static final Set<String> NOT_CHECKS = Set.of("name", "key", "path");

  @Test
  void everyRuleFieldIsASelectorOrInTheTableOfChecks() {
    List<String> inTable = new ArrayList<>();
    for (PolicyCompiler.CheckEntry<?> e : PolicyCompiler.checks()) {
      inTable.add(e.field());
      inTable.addAll(e.options());
    }
    List<String> ruleFields =
        ruleFields().map(Field::getName).filter(n -> !NOT_CHECKS.contains(n)).toList();
    assertThat(inTable)
        .as("api.Rule fields: add an entry to PolicyCompiler.CHECKS (or to NOT_CHECKS here)")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ruleFields);
  }

  @Test
  void eachEntryReadsItsOwnField() throws Exception {
    for (PolicyCompiler.CheckEntry<?> e : PolicyCompiler.checks()) {
      assertThat(e.isSet(new Rule())).as(e.field() + " on an empty rule").isFalse();
      Rule rule = new Rule();
      Field field = Rule.class.getField(e.field());
      field.set(rule, sample(field.getType()));
      assertThat(e.isSet(rule)).as(e.field() + " set").isTrue();
    }
  }

  @Test
  void theNoCheckReasonListsTheStandaloneChecksInTableOrder() {
    assertThat(
            PolicyCompiler.checks().stream()
                .filter(PolicyCompiler.CheckEntry::standalone)
                .map(PolicyCompiler.CheckEntry::field))
        .containsExactly(
            "maxTotalBytes",
            "maxKeys",
            "maxBytes",
            "format",
            "jsonSchema",
            "maxItems",
            "unique",
            "maxGrowth",
            "maxShrink",
            "immutable",
            "cel");
  }

  /** Validation first in table order, then object checks, then subject checks. */
  @Test
  void reasonsOfOneRuleComeInTheOrderOfTheTable() {
    String rule =
        """
        key: k
        maxKeys: -2
        maxBytes: -1
        message: m
        maxShrink: {path: "$.y"}
        maxItems: {path: "$.x"}
        jsonSchema: {type: object}
        duplicateKeys: exact
        immutable: []
        """;
    assertThatThrownBy(() -> Fixtures.rule(rule))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e ->
                assertThat(e.reasons())
                    .containsExactly(
                        "spec.rules[0].maxKeys: must be >= 0, got -2",
                        "spec.rules[0].maxBytes: must be >= 0, got -1",
                        "spec.rules[0].message: only used with cel",
                        "spec.rules[0].immutable: empty list",
                        "spec.rules[0].duplicateKeys: only with format: json",
                        "spec.rules[0].jsonSchema" + NEEDS_FORMAT,
                        "spec.rules[0].maxItems" + NEEDS_FORMAT,
                        "spec.rules[0].maxItems.max: required",
                        "spec.rules[0].maxShrink" + NEEDS_FORMAT,
                        "spec.rules[0].maxShrink.ratio: required"));
  }

  private static final String NEEDS_FORMAT =
      ": the value must be parsed; set format on this rule or on a rule for the same key";

  private static Stream<Field> ruleFields() {
    return Arrays.stream(Rule.class.getDeclaredFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()) && !f.isSynthetic());
  }

  private static Object sample(Class<?> type) throws Exception {
    if (type == String.class) {
      return "x";
    }
    if (type == Long.class) {
      return 1L;
    }
    if (type == Boolean.class) {
      return Boolean.TRUE;
    }
    if (type == List.class) {
      return List.of("x");
    }
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    if (JsonNode.class.isAssignableFrom(type)) {
      return JsonNodeFactory.instance.objectNode();
    }
    return type.getConstructor().newInstance();
  }
}
