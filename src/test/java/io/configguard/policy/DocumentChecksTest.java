package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** format, jsonSchema, maxItems and unique on ConfigMap values and on custom resource paths. */
class DocumentChecksTest {
  static final String FEATURES =
      "{\"features\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"a\"}, {\"name\": 1},"
          + " {\"name\": \"b\"}]}";

  static final JsonNode ROUTE =
      Fixtures.yaml(
          """
          apiVersion: gateway.example.com/v1
          kind: EdgeRoute
          metadata: {name: shop, namespace: web}
          spec:
            routes:
              - {host: a.example.com, port: 80}
              - {host: b.example.com, port: 80}
              - {host: a.example.com, port: 8080}
            embedded: '{"x": 1, "x": 2}'
          """);

  static Stream<Arguments> cases() {
    return Stream.of(
        // format
        row("key: f.json\nformat: json", Map.of("f.json", "{\"a\": 1}")),
        row(
            "key: f.json\nformat: json",
            Map.of("f.json", "{\"a\": 1,\n \"a\": 2}"),
            "f.json: duplicate key \"a\" at line 2, column 2 in JSON"),
        row(
            "key: '*.yaml'\nformat: yaml",
            Map.of("a.yaml", "x: 1", "b.yaml", "x: [", "c.txt", "x: ["),
            "b.yaml: invalid YAML at line 1, column 5: while parsing a flow node: expected the"
                + " node content, but found '<stream end>'"),
        row(
            "format: properties",
            Map.of("app.properties", "a=1\na=2", "other", "fine"),
            "app.properties: duplicate key \"a\" at line 2 in properties (first at line 1)"),
        row("key: notes\nformat: text", Map.of("notes", "anything { at all")),
        // jsonSchema
        row(
            "key: f.json\nformat: json\njsonSchema: {type: object, required: [features]}",
            Map.of("f.json", FEATURES)),
        row(
            "key: f.json\nformat: json\njsonSchema:\n  type: object\n  required: [version]\n"
                + "  properties:\n    features:\n      items:\n        properties:\n"
                + "          name: {type: string, pattern: '^[a-z]+$'}",
            Map.of("f.json", FEATURES),
            "f.json: jsonSchema: $.features[3].name: integer found, string expected",
            "f.json: jsonSchema: $: required property 'version' not found"),
        row(
            "key: f.json\njsonSchema: {type: object}\nformat: json",
            Map.of("f.json", "[1]"),
            "f.json: jsonSchema: $: array found, object expected"),
        // an empty or odd property name (networknt's own location text throws on "")
        row(
            "key: f.json\nformat: json\njsonSchema:\n  properties:\n    '': {type: integer}\n"
                + "    \"it's\": {type: integer}",
            Map.of("f.json", "{\"\": \"x\", \"it's\": \"y\"}"),
            "f.json: jsonSchema: $['']: string found, integer expected",
            "f.json: jsonSchema: $['it\\'s']: string found, integer expected"),
        // maxItems
        row(
            "key: f.json\nformat: json\nmaxItems: {path: $.features, max: 5}",
            Map.of("f.json", FEATURES)),
        row(
            "key: f.json\nformat: json\nmaxItems: {path: $.features, max: 4}",
            Map.of("f.json", FEATURES),
            "f.json: 5 items at $.features exceeds maxItems 4"),
        row(
            "key: f.json\nformat: json\nmaxItems: {path: '$.features[*].name', max: 2}",
            Map.of("f.json", FEATURES),
            "f.json: 5 items at $.features[*].name exceeds maxItems 2"),
        row(
            "key: f.json\nformat: json\nmaxItems: {path: $.missing, max: 0}",
            Map.of("f.json", FEATURES)),
        row(
            "key: f.json\nformat: json\nmaxItems: {path: $.features, max: 1}",
            Map.of("f.json", "{"),
            "f.json: invalid JSON at line 1, column 2: Unexpected end-of-input: expected close"
                + " marker for Object"),
        // YAML's .inf/.nan against numeric schema keywords: a clear violation, not an exception
        row(
            "key: f.yaml\nformat: yaml\njsonSchema: {properties: {v: {maximum: 10}}}",
            Map.of("f.yaml", "v: .nan\n"),
            "f.yaml: jsonSchema: $.v: .nan is not a finite number; JSON Schema (maximum, minimum,"
                + " enum, multipleOf) cannot judge it"),
        row(
            "key: f.yaml\nformat: yaml\njsonSchema: {properties: {v: {enum: [1, 2]}}}",
            Map.of("f.yaml", "v: .nan\n"),
            "f.yaml: jsonSchema: $.v: .nan is not a finite number; JSON Schema (maximum, minimum,"
                + " enum, multipleOf) cannot judge it"),
        row(
            "key: f.yaml\nformat: yaml\njsonSchema: {properties: {v: {items: {multipleOf: 2}}}}",
            Map.of("f.yaml", "v: [2, -.inf]\n"),
            "f.yaml: jsonSchema: $.v[1]: -.inf is not a finite number; JSON Schema (maximum,"
                + " minimum, enum, multipleOf) cannot judge it"),
        // Opt-in: keys a consumer reads as one (Go's encoding/json, YAML 1.1 readers)
        row(
            "key: f.json\nformat: json\nduplicateKeys: caseInsensitive",
            Map.of(
                "f.json",
                "{\"a\": {\"Name\": 1, \"name\": 2}, \"x\": [{\"\\ud800\": 1, \"\\udc01\": 2}]}"),
            "f.json: duplicate key \"name\" in $.a: a case-insensitive reader (Go's"
                + " encoding/json) reads it as \"Name\"",
            "f.json: duplicate key \"\\udc01\" in $.x[0]: a case-insensitive reader (Go's"
                + " encoding/json) reads it as \"\\ud800\""),
        row(
            "key: f.json\nformat: json\nduplicateKeys: exact",
            Map.of("f.json", "{\"Name\": 1, \"name\": 2}")),
        row(
            "key: f.json\nformat: json\nduplicateKeys: caseInsensitive",
            Map.of("f.json", "{\"K\": 1, \"\u212a\": 2, \"\u017f\": 3, \"s\": 4}"),
            "f.json: duplicate key \"\u212a\" in $: a case-insensitive reader (Go's"
                + " encoding/json) reads it as \"K\"",
            "f.json: duplicate key \"s\" in $: a case-insensitive reader (Go's"
                + " encoding/json) reads it as \"\u017f\""),
        row(
            "key: f.yaml\nformat: yaml\nyaml11: true",
            Map.of("f.yaml", "flags:\n  yes: 1\n  on: 2\n"),
            "f.yaml: duplicate key \"on\" at line 3, column 3 in YAML 1.1: a YAML 1.1 reader"
                + " reads it as true, like \"yes\""),
        row(
            "key: f.yaml\nformat: yaml\nyaml11: true",
            Map.of("f.yaml", "flags:\n  'yes': 1\n  on: 2\n  n: 3\n  off: 4\n"),
            "f.yaml: duplicate key \"off\" at line 5, column 3 in YAML 1.1: a YAML 1.1 reader"
                + " reads it as false, like \"n\""),
        row("key: f.yaml\nformat: yaml", Map.of("f.yaml", "flags:\n  yes: 1\n  on: 2\n")),
        // unique
        row(
            "key: f.json\nformat: json\nunique: {path: '$.features[*].name'}",
            Map.of("f.json", "{\"features\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}")),
        row(
            "key: f.json\nformat: json\nunique: {path: '$.features[*].name'}",
            Map.of("f.json", FEATURES),
            "f.json: duplicate \"a\" at $.features[2].name (first at $.features[0].name)",
            "f.json: duplicate \"b\" at $.features[4].name (first at $.features[1].name)"),
        row(
            "key: f.json\nformat: json\nunique: {path: '$.features[*]'}",
            Map.of("f.json", "{\"features\": [{\"k\": [1, 2]}, {\"k\": [2, 1]}, {\"k\": [1, 2]}]}"),
            "f.json: duplicate {\"k\":[1,2]} at $.features[2] (first at $.features[0])"),
        // Numbers are compared by value, whatever their spelling, in JSON and in YAML.
        row(
            "key: f.json\nformat: json\nunique: {path: '$.ids[*]'}",
            Map.of(
                "f.json", "{\"ids\": [1, 1.0, 1e0, 10E-1, 100000000000, 1e11, 2, \"1\", 0, -0.0]}"),
            "f.json: duplicate 1.0 at $.ids[1] (first at $.ids[0])",
            "f.json: duplicate 1.0 at $.ids[2] (first at $.ids[0])",
            "f.json: duplicate 1.0 at $.ids[3] (first at $.ids[0])",
            "f.json: duplicate 1.0E11 at $.ids[5] (first at $.ids[4])",
            "f.json: duplicate -0.0 at $.ids[9] (first at $.ids[8])"),
        row(
            "key: f.yaml\nformat: yaml\nunique: {path: '$.ids[*]'}",
            Map.of("f.yaml", "ids: [1, 1.0, 1e0, 100000000000, 1e11, 2, '1']"),
            "f.yaml: duplicate 1.0 at $.ids[1] (first at $.ids[0])",
            "f.yaml: duplicate 1.0 at $.ids[2] (first at $.ids[0])",
            "f.yaml: duplicate 1.0E11 at $.ids[4] (first at $.ids[3])"),
        row(
            "key: f.json\nformat: json\nunique: {path: '$.features[*]'}",
            Map.of("f.json", "{\"features\": [{\"k\": [1, 2.50]}, {\"k\": [1.0, 2.5]}]}"),
            "f.json: duplicate {\"k\":[1.0,2.5]} at $.features[1] (first at $.features[0])"));
  }

  static Arguments row(String rule, Map<String, String> data, String... expected) {
    return Arguments.of(rule, data, List.of(expected));
  }

  @ParameterizedTest(name = "[{index}] {2}")
  @MethodSource("cases")
  void onConfigMapValues(String rule, Map<String, String> data, List<String> expected)
      throws Exception {
    Policy policy = Fixtures.policy("rules:\n- name: r\n" + Fixtures.indent(rule, "  "));
    assertThat(report(policy, Target.create(configMap(data)))).isEqualTo(expected);
  }

  static Stream<Arguments> resourceCases() {
    return Stream.of(
        Arguments.of(
            "path: $.spec\nmaxItems: {path: $.routes, max: 2}",
            List.of("3 items at $.spec.routes exceeds maxItems 2")),
        Arguments.of("maxItems: {path: $.spec.routes, max: 3}", List.of()),
        Arguments.of(
            "unique: {path: '$.spec.routes[*].host'}",
            List.of(
                "duplicate \"a.example.com\" at $.spec.routes[2].host (first at"
                    + " $.spec.routes[0].host)")),
        Arguments.of(
            "path: '$.spec.routes[*]'\njsonSchema: {properties: {port: {maximum: 1024}}}",
            List.of("jsonSchema: $.spec.routes[2].port: must have a maximum value of 1024")),
        Arguments.of(
            "path: $.spec.embedded\nformat: json",
            List.of("$.spec.embedded: duplicate key \"x\" at line 1, column 10 in JSON")));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("resourceCases")
  void onCustomResourcePaths(String rule, List<String> expected) throws Exception {
    Policy policy =
        Fixtures.policy(
            "match: {resources: [{apiGroups: [gateway.example.com], kinds: [EdgeRoute]}]}\n"
                + "rules:\n- name: r\n"
                + Fixtures.indent(rule, "  "));
    Target target = Target.create(ROUTE);
    assertThat(policy.matches(target)).isTrue();
    assertThat(report(policy, target)).isEqualTo(expected);
  }

  @Test
  void aRuleWithoutFormatReadsTheKeyInTheFormatAnotherRuleGivesIt() throws Exception {
    Policy policy =
        Fixtures.policy(
            """
            rules:
              - name: parse
                key: "*.json"
                format: json
              - name: names
                key: f.json
                unique: {path: "$.features[*].name"}
            """);
    assertThat(
            Fixtures.lines(policy.evaluate(Target.create(configMap(Map.of("f.json", FEATURES))))))
        .containsExactly(
            "p/names: f.json: duplicate \"a\" at $.features[2].name (first at $.features[0].name)",
            "p/names: f.json: duplicate \"b\" at $.features[4].name (first at $.features[1].name)");
  }

  @Test
  void reportsTheFirstTwentyDuplicatesAndCountsTheRest() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      names.add("{\"name\": \"n" + i + "\"}");
    }
    names.addAll(names);
    String doc = "{\"features\": [" + String.join(",", names) + "]}";
    Policy policy = Fixtures.rule("key: f\nformat: json\nunique: {path: '$.features[*].name'}");

    List<String> report = report(policy, Target.create(configMap(Map.of("f", doc))));

    assertThat(report).hasSize(21);
    assertThat(report.get(0))
        .isEqualTo("f: duplicate \"n0\" at $.features[50].name (first at $.features[0].name)");
    assertThat(report.get(20)).isEqualTo("f: ... and 30 more like the above");
  }
}
