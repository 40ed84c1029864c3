package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Operation;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** maxGrowth, maxShrink and immutable: UPDATE against the old object; CREATE never fails. */
class ChangeChecksTest {
  static String items(int n) {
    StringBuilder out = new StringBuilder("{\"features\": [");
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : ",").append(i);
    }
    return out.append("]}").toString();
  }

  static String tiers(int lastRules) {
    return "{\"tiers\": [{\"rules\": [1, 2]}, {\"rules\": "
        + items(lastRules).substring("{\"features\": ".length(), items(lastRules).length() - 1)
        + "}]}";
  }

  static Stream<Arguments> cases() {
    String growth = "key: f\nformat: json\nmaxGrowth: {path: $.features, ratio: 1.5}";
    String shrink = "key: f\nformat: json\nmaxShrink: {path: $.features, ratio: 0.5}";
    return Stream.of(
        row(growth, Map.of("f", items(60)), Map.of("f", items(90))),
        row(
            growth,
            Map.of("f", items(60)),
            Map.of("f", items(120)),
            "f: $.features grew from 60 to 120 items (ratio 2.00 > 1.5)"),
        row(growth, null, Map.of("f", items(120))),
        // The counting scanner of the old side cannot take a negative index: a full parse can.
        row(
            "key: f\nformat: json\nmaxGrowth: {path: '$.tiers[-1].rules', ratio: 1.5}",
            Map.of("f", tiers(4)),
            Map.of("f", tiers(400)),
            "f: $.tiers[-1].rules grew from 4 to 400 items (ratio 100.00 > 1.5)"),
        row(
            "key: f\nformat: yaml\nmaxGrowth: {path: '$.tiers[-1].rules', ratio: 1.5}",
            Map.of("f", tiers(4)),
            Map.of("f", tiers(400)),
            "f: $.tiers[-1].rules grew from 4 to 400 items (ratio 100.00 > 1.5)"),
        row(growth, Map.of("g", items(1)), Map.of("f", items(120))),
        row(growth, Map.of("f", items(0)), Map.of("f", items(120))),
        row(growth, Map.of("f", "not json"), Map.of("f", items(120))),
        row("key: f\nmaxGrowth: {ratio: 2}", Map.of("f", "12345"), Map.of("f", "1234567890")),
        row(
            "key: f\nmaxGrowth: {ratio: 2}",
            Map.of("f", "12345"),
            Map.of("f", "12345678901"),
            "f: value grew from 5 to 11 bytes (ratio 2.20 > 2)"),
        row(shrink, Map.of("f", items(60)), Map.of("f", items(30))),
        row(
            shrink,
            Map.of("f", items(60)),
            Map.of("f", items(0)),
            "f: $.features shrank from 60 to 0 items (ratio 0.00 < 0.5)"),
        // A guarded key that disappears shrank to nothing; growth has nothing to say about it.
        row(
            shrink,
            Map.of("f", items(60)),
            Map.of("other.txt", "x"),
            "f: $.features shrank from 60 to 0 items (ratio 0.00 < 0.5); the key was removed"),
        row(growth, Map.of("f", items(60)), Map.of("other.txt", "x")),
        row(
            "key: 'f*'\nmaxShrink: {ratio: 0.9}",
            Map.of("f1", "1234567890", "f2", "12"),
            Map.of("f2", "12"),
            "f1: value shrank from 10 to 0 bytes (ratio 0.00 < 0.9); the key was removed"),
        row(shrink, Map.of("g", items(60)), Map.of("other.txt", "x")),
        row(
            "key: f\nmaxShrink: {ratio: 0.9}",
            Map.of("f", "1234567890"),
            Map.of("f", "12345"),
            "f: value shrank from 10 to 5 bytes (ratio 0.50 < 0.9)"),
        row(
            "immutable: [schema-version, 'release.*']",
            Map.of("schema-version", "3", "release.a", "x", "release.b", "y", "free", "1"),
            Map.of("schema-version", "3", "release.a", "x", "release.b", "y", "free", "2")),
        row(
            "immutable: [schema-version, 'release.*']",
            Map.of("schema-version", "3", "release.a", "x", "release.b", "y"),
            Map.of("schema-version", "4", "release.b", "y", "release.c", "z"),
            "schema-version: key is immutable (schema-version): changed",
            "release.a: key is immutable (release.*): removed",
            "release.c: key is immutable (release.*): added"),
        row("immutable: [schema-version]", null, Map.of("schema-version", "4")),
        row(
            "immutable: ['$.metadata.labels.team', '$.data.*']",
            Map.of("a", "1", "b", "2"),
            Map.of("a", "1", "c", "3"),
            "$.data.b is immutable: removed (was \"2\")",
            "$.data.c is immutable: added (now \"3\")"));
  }

  static Arguments row(
      String rule, Map<String, String> before, Map<String, String> after, String... expected) {
    return Arguments.of(rule, before, after, List.of(expected));
  }

  @ParameterizedTest(name = "[{index}] {3}")
  @MethodSource("cases")
  void check(
      String rule, Map<String, String> before, Map<String, String> after, List<String> expected)
      throws Exception {
    Policy policy = Fixtures.rule(rule);
    JsonNode now = configMap(after);
    Target target = before == null ? Target.create(now) : Target.update(now, configMap(before));
    assertThat(report(policy, target)).isEqualTo(expected);
  }

  static Stream<Arguments> resourceCases() {
    return Stream.of(
        Arguments.of(
            "maxGrowth: {path: '$.spec.routes', ratio: 1.5}",
            List.of("$.spec.routes grew from 2 to 4 items (ratio 2.00 > 1.5)")),
        Arguments.of(
            "path: $.spec\nmaxGrowth: {path: $.routes, ratio: 1.5}",
            List.of("$.spec.routes grew from 2 to 4 items (ratio 2.00 > 1.5)")),
        Arguments.of(
            "maxGrowth: {ratio: 1.1}",
            List.of("object grew from 131 to 156 bytes (ratio 1.19 > 1.1)")),
        Arguments.of(
            "immutable: ['$.spec.owner', '$.spec.routes[0]']",
            List.of("$.spec.owner is immutable: changed from \"edge\" to \"web\"")));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("resourceCases")
  void onCustomResources(String rule, List<String> expected) throws Exception {
    JsonNode before =
        Fixtures.yaml(
            "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: r}\n"
                + "spec: {owner: edge, routes: [{host: a}, {host: b}]}");
    ObjectNode after = before.deepCopy();
    ((ObjectNode) after.get("spec")).put("owner", "web");
    ((com.fasterxml.jackson.databind.node.ArrayNode) after.get("spec").get("routes"))
        .add(Fixtures.yaml("{host: c}"))
        .add(Fixtures.yaml("{host: d}"));
    Policy policy =
        Fixtures.policy(
            "match: {resources: [{apiGroups: [example.com], kinds: [Route]}]}\n"
                + "rules:\n- name: r\n"
                + Fixtures.indent(rule, "  "));
    assertThat(report(policy, Target.of(Operation.UPDATE, after, before))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("removedPathCases")
  void aRemovedPathShrankToNothing(String rule, List<String> expected) throws Exception {
    JsonNode before =
        Fixtures.yaml(
            "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: r}\n"
                + "spec: {owner: edge, limits: {hosts: [a, b, c, d]}}");
    JsonNode after =
        Fixtures.yaml(
            "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: r}\nspec: {owner: edge}");
    Policy policy =
        Fixtures.policy(
            "match: {resources: [{apiGroups: [example.com], kinds: [Route]}]}\n"
                + "rules:\n- name: r\n"
                + Fixtures.indent(rule, "  "));
    assertThat(report(policy, Target.of(Operation.UPDATE, after, before))).isEqualTo(expected);
  }

  static Stream<Arguments> removedPathCases() {
    return Stream.of(
        Arguments.of(
            "path: $.spec.limits\nmaxShrink: {path: $.hosts, ratio: 0.5}",
            List.of("$.spec.limits.hosts shrank from 4 to 0 items (ratio 0.00 < 0.5); removed")),
        Arguments.of("path: $.spec.limits\nmaxGrowth: {path: $.hosts, ratio: 1.5}", List.of()),
        Arguments.of("path: $.spec.owner\nmaxShrink: {ratio: 0.5}", List.of()));
  }
}
