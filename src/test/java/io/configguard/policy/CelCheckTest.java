package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** cel rules over object, oldObject, parsed and request: results, messages and errors. */
class CelCheckTest {
  static final JsonNode OLD =
      configMap(Map.of("features.json", "{\"features\": [{\"name\": \"a\"}]}", "mode", "on"));
  static final JsonNode NEW =
      configMap(
          Map.of(
              "features.json",
              "{\"features\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}",
              "mode",
              "off"));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          size(object.data) > 0                                             | ""
          size(object.data) > 5                                             | CEL expression is false: size(object.data) > 5
          object.metadata.name == 'cm' && object.metadata.namespace == 'default' | ""
          oldObject.data.mode == 'on' && object.data.mode == 'off'          | ""
          parsed['features.json'].features.all(f, f.name.matches('^[a-z]$')) | ""
          size(parsed['features.json'].features) >= size(oldObject.data)    | ""
          parsed['features.json'].features.exists(f, f.name == 'zz')       | CEL expression is false: parsed['features.json'].features.exists(f, f.name == 'zz')
          !('mode' in parsed)                                               | ""
          request.userInfo.username == 'ci-bot'                            | ""
          object.data.nope == 'x'                                           | CEL error: evaluation error at <input>:11: key 'nope' is not present in map. (object.data.nope == 'x')
          1 / (size(object.data) - 2) == 0                                  | CEL error: evaluation error at <input>:2: / by zero (1 / (size(object.data) - 2) == 0)
          !'x'.matches('^(a+)+$')                                           | ""
          """)
  void evaluates(String cel, String expected) throws Exception {
    Policy policy =
        Fixtures.policy(
            "rules:\n- name: parse\n  key: '*.json'\n  format: json\n- name: r\n  cel: "
                + Fixtures.YAML.writeValueAsString(cel).replace("---", "").trim());
    Target update = Target.of(Operation.UPDATE, NEW, OLD);
    Target target =
        new Target(
            update.kind(),
            update.namespace(),
            update.name(),
            update.operation(),
            update.object(),
            update.oldObject(),
            Fixtures.yaml("{userInfo: {username: ci-bot}}"),
            Map.of());
    assertThat(report(policy, target))
        .isEqualTo(expected == null || expected.isEmpty() ? List.of() : List.of(expected));
  }

  @Test
  void aFalseExpressionReportsTheRuleMessage() throws Exception {
    Policy policy = Fixtures.rule("cel: size(object.data) == 0\nmessage: config must be empty");
    assertThat(report(policy, Target.create(NEW))).containsExactly("config must be empty");
  }

  @Test
  void seesANullObjectOnDelete() throws Exception {
    Policy policy =
        Fixtures.policy(
            "match: {operations: [DELETE]}\nrules:\n- name: r\n  cel: object == null &&"
                + " oldObject.data.mode == 'on'");
    Target delete = Target.of(Operation.DELETE, null, OLD);
    assertThat(policy.matches(delete)).isTrue();
    assertThat(report(policy, delete)).isEmpty();
  }

  @Test
  void regexMatchingIsLinear() throws Exception {
    // (a+)+$ against "aaaa…!" backtracks exponentially in java.util.regex; RE2J is linear.
    String text = "a".repeat(100_000) + "!";
    Policy policy = Fixtures.rule("cel: \"!object.data.s.matches('^(a+)+$')\"");
    Timing.Timed<List<String>> timed =
        Timing.bestOf(1, 3, () -> report(policy, Target.create(configMap(Map.of("s", text)))));
    assertThat(timed.result()).isEmpty();
    // Linear: 30 to 100 bare parses of the same size on the build machine; backtracking would not
    // finish at all (Timing's hang guard).
    Timing.assertWithin("(a+)+$ on 100,000 characters", timed, text.length(), 500);
  }
}
