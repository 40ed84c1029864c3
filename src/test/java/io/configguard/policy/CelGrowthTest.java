package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 item 4: a CEL expression whose strings can outgrow its inputs by more than {@link
 * PolicyCost#MAX_CEL_GROWTH} is refused when the policy is compiled (at admission), since the
 * runtime cost is charged only after a string has been built. The attack: a 2.6 KB expression that
 * builds 216 million characters and ended the JVM.
 */
class CelGrowthTest {
  static final String ATTACK =
      "'"
          + "a".repeat(1200)
          + "'.replace('a', '"
          + "a".repeat(1200)
          + "').replace('a', '"
          + "a".repeat(150)
          + "').size() > 0";

  @Test
  void theReplaceBombIsRefusedWithItsField() {
    assertThatThrownBy(() -> Fixtures.rule("cel: \"" + ATTACK + "\""))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageStartingWith(
            "spec.rules[0].cel: the strings or lists it builds can grow to 180000 times the size"
                + " of its inputs");
  }

  @Test
  void doublingInAChainOfComprehensionsIsRefused() {
    String chain = "[['x']]" + ".map(l, l + l)".repeat(30) + ".size() > 0";
    assertThatThrownBy(() -> Fixtures.rule("cel: \"" + chain + "\""))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("can grow to");
  }

  @Test
  void aComputedReplacementIsRefused() {
    assertThatThrownBy(
            () -> Fixtures.rule("cel: \"object.data.a.replace('x', object.data.b).size() > 0\""))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("an unbounded multiple");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "object.data.a.replace('-', '_').size() < 100",
        "object.data.a.replace('-', '--') != ''",
        "['a', 'b'].join(', ') == 'a, b'",
        "object.data.all(k, k.startsWith('app') && object.data[k].size() < 10)",
        "object.data.map(k, k + '=' + object.data[k]).join(',').size() < 1000",
        "object.metadata.name + '-' + object.metadata.namespace != ''",
        "object.data.exists(k, object.data.exists(j, k != j && object.data[k] == object.data[j]))"
      })
  void ordinaryExpressionsCompile(String expression) throws Exception {
    assertThat(Fixtures.rule("cel: \"" + expression + "\"").ruleNames()).containsExactly("r");
  }

  /** What replace and join will build is predicted exactly enough to be charged first. */
  @Test
  void theLengthOfAReplaceOrJoinIsChargedBeforeItIsBuilt() {
    assertThat(CelSupport.length("string_replace_string_string", new Object[] {"a-b-c", "-", "--"}))
        .isEqualTo("a--b--c".length());
    assertThat(CelSupport.length("string_replace_string_string", new Object[] {"ab", "", "xy"}))
        .isEqualTo("xyaxybxy".length());
    assertThat(
            CelSupport.length(
                "string_replace_string_string_int", new Object[] {"aaaa", "a", "bbb", 2L}))
        .isEqualTo("bbbbbbaa".length());
    assertThat(CelSupport.length("list_join_string", new Object[] {List.of("ab", "c"), ", "}))
        .isEqualTo("ab, c".length());
  }

  /** Within the growth bound but over the cost: stopped before the 1.6M-character string. */
  @Test
  void aReplaceOverTheCostLimitStopsBeforeBuilding() throws Exception {
    Policy policy =
        Fixtures.rule("cel: \"object.data.v.replace('a', '" + "a".repeat(16) + "').size() > 0\"");
    assertThat(
            Fixtures.report(
                policy, Target.create(Fixtures.configMap(Map.of("v", "a".repeat(100_000))))))
        .singleElement()
        .asString()
        .startsWith("CEL cost limit 100000 exceeded");
  }
}
