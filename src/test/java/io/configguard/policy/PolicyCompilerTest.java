package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configguard.api.Enforcement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A policy is untrusted input: every invalid field is reported, by its path, all at once. */
class PolicyCompilerTest {
  static Stream<Arguments> invalid() {
    return Stream.of(
        row("rules: []", "spec.rules: at least one rule is required"),
        row(
            "rules: [{name: a, key: f, format: yaml, duplicateKeys: caseInsensitive},"
                + " {name: b, key: f, format: json, yaml11: true}]",
            "spec.rules[0].duplicateKeys: only with format: json",
            "spec.rules[1].yaml11: only with format: yaml"),
        row("rules: [{maxKeys: 1}]", "spec.rules[0].name: required"),
        row(
            "rules: [{name: a}]",
            "spec.rules[0]: no check; set at least one of maxTotalBytes, maxKeys, maxBytes,"
                + " format, jsonSchema, maxItems, unique, maxGrowth, maxShrink, immutable, cel"),
        row(
            "rules: [{name: a, maxKeys: 1}, {name: a, maxKeys: 2}]",
            "spec.rules[1].name: duplicate rule name \"a\" (also spec.rules[0])"),
        row(
            "rules: [{name: a, key: x, path: $.x, format: json}]",
            "spec.rules[0]: key and path are exclusive (key for ConfigMap values, path for the"
                + " object)"),
        row(
            "rules: [{name: a, key: 'x/[y]', format: json}]",
            "spec.rules[0].key: \"x/[y]\" has '/' at position 1, which cannot appear in a"
                + " ConfigMap key (globs support only * and ?)"),
        row(
            "rules: [{name: a, maxTotalBytes: -1, maxKeys: -2, maxBytes: -3}]",
            "spec.rules[0].maxTotalBytes: must be >= 0, got -1",
            "spec.rules[0].maxKeys: must be >= 0, got -2",
            "spec.rules[0].maxBytes: must be >= 0, got -3"),
        row(
            "rules: [{name: a, key: f, format: json, maxItems: {path: 'features', max: -1}}]",
            "spec.rules[0].maxItems.path: \"features\" is not a JSONPath: at position 0: a path"
                + " starts with '$'",
            "spec.rules[0].maxItems.max: must be >= 0, got -1"),
        row(
            "rules: [{name: a, key: f, format: json, maxItems: {max: 1}}]",
            "spec.rules[0].maxItems.path: required"),
        row(
            "rules: [{name: a, key: f, format: json, unique: {path: '$..name'}}]",
            "spec.rules[0].unique.path: \"$..name\" is not a JSONPath: at position 1: descendant"
                + " segments (..) are not supported"),
        row(
            "rules: [{name: a, key: f, maxItems: {path: $.x, max: 1}}]",
            "spec.rules[0].maxItems: the value must be parsed; set format on this rule or on a"
                + " rule for the same key"),
        row(
            "rules: [{name: a, key: f, maxGrowth: {ratio: 0}, maxShrink: {ratio: 1.5}}]",
            "spec.rules[0].maxGrowth.ratio: must be > 0, got 0.0",
            "spec.rules[0].maxShrink.ratio: must be <= 1 for shrink (new >= old x ratio), got 1.5"),
        row(
            "rules: [{name: a, maxGrowth: {ratio: 0.5}, maxShrink: {}}]",
            "spec.rules[0].maxGrowth.ratio: must be >= 1 for growth (new <= old x ratio), got 0.5",
            "spec.rules[0].maxShrink.ratio: required"),
        row(
            "rules: [{name: a, immutable: ['ok', '$.bad[', 'no/slash']}]",
            "spec.rules[0].immutable[1]: \"$.bad[\" is not a JSONPath: at position 6: unclosed '['",
            "spec.rules[0].immutable[2]: \"no/slash\" has '/' at position 2, which cannot appear in"
                + " a ConfigMap key (globs support only * and ?) (or start a JSONPath with $)"),
        row(
            "rules: [{name: a, cel: 'object.data.size( > 0'}]",
            "spec.rules[0].cel: 1:19: extraneous input '>' expecting {'[', '{', '(', ')', '.',"
                + " '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES,"
                + " IDENTIFIER}",
            "spec.rules[0].cel: 1:22: missing ')' at '<EOF>'"),
        row(
            "rules: [{name: a, cel: 'nothing == 1'}]",
            "spec.rules[0].cel: 1:1: undeclared reference to 'nothing' (in container '')"),
        // Compiles, yet could only fail at run time and deny every object.
        row(
            "rules: [{name: a, cel: 'object.metadata.name'}]",
            "spec.rules[0].cel: the expression is of type dyn, not bool; compare it (e.g. =="
                + " true) so that it yields true or false"),
        row(
            "rules: [{name: a, cel: \"object.metadata.name.matches('(') || 'x'.matches('a(b')\"}]",
            "spec.rules[0].cel: regex \"(\": not supported by the linear-time regex engine (RE2):"
                + " error parsing regexp: missing closing ): `(`",
            "spec.rules[0].cel: regex \"a(b\": not supported by the linear-time regex engine"
                + " (RE2): error parsing regexp: missing closing ): `a(b`"),
        row(
            "rules: [{name: a, cel: '\"text\"'}]",
            "spec.rules[0].cel: 1:1: expected type 'bool' but found 'string'"),
        row(
            "rules: [{name: a, maxKeys: 1, message: hi}]",
            "spec.rules[0].message: only used with cel"),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: {type: objekt, minItems: -1}}]",
            "spec.rules[0].jsonSchema: $.type: does not have a value in the enumeration"
                + " [\"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\","
                + " \"string\"]",
            "spec.rules[0].jsonSchema: $.type: string found, array expected",
            "spec.rules[0].jsonSchema: $.minItems: must have a minimum value of 0"),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: {properties: {x: {pattern:"
                + " '(?=a)'}}, patternProperties: {'(a)\\1': {}}, enum: [{pattern: '(?=ok)'}]}}]",
            "spec.rules[0].jsonSchema: $.properties.x.pattern: not supported by the linear-time"
                + " regex engine (RE2): error parsing regexp: invalid or unsupported Perl syntax:"
                + " `(?=`",
            "spec.rules[0].jsonSchema: $.patternProperties: not supported by the linear-time regex"
                + " engine (RE2): error parsing regexp: invalid escape sequence: `\\1`"),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: {$ref: 'https://example.com/s.json'}}]",
            "spec.rules[0].jsonSchema: Schema from 'https://example.com/s.json' is not allowed to"
                + " be loaded."),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: {$ref: '#/$defs/none'}}]",
            "spec.rules[0].jsonSchema: Reference /$defs/none cannot be resolved"),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: {properties: {'': {type: 5}}}}]",
            "spec.rules[0].jsonSchema: $.properties[''].type: does not have a value in the"
                + " enumeration [\"array\", \"boolean\", \"integer\", \"null\", \"number\","
                + " \"object\", \"string\"]",
            "spec.rules[0].jsonSchema: $.properties[''].type: integer found, array expected"),
        row(
            "rules: [{name: a, key: f, format: json, jsonSchema: 3}]",
            "spec.rules[0].jsonSchema: a schema is an object or a boolean"),
        row(
            "match: {resources: [{kinds: [configmap]}, {apiGroups: ['']}]}\nrules: [{name: a,"
                + " maxKeys: 1}]",
            "spec.match.resources[0].apiGroups: required (\"\" is the core group, \"*\" any"
                + " group)",
            "spec.match.resources[0].kinds[0]: \"configmap\" is not a kind (e.g. ConfigMap) or *",
            "spec.match.resources[1].kinds: required (e.g. ConfigMap, or \"*\")"),
        row(
            "match: {names: [ok, 'Bad_Name*']}\nrules: [{name: a, maxKeys: 1}]",
            "spec.match.names[1]: \"Bad_Name*\" has 'B' at position 0, which cannot appear in an"
                + " object name (globs support only * and ?)"),
        row(
            "match: {objectSelector: {matchExpressions: [{key: app, operator: Near}, {key: app,"
                + " operator: In}, {key: app, operator: Exists, values: [x]}]}}\nrules: [{name: a,"
                + " maxKeys: 1}]",
            "spec.match.objectSelector.matchExpressions[0].operator: \"Near\" is not one of In,"
                + " NotIn, Exists, DoesNotExist",
            "spec.match.objectSelector.matchExpressions[1].values: required for In",
            "spec.match.objectSelector.matchExpressions[2].values: must be empty for Exists"));
  }

  static Arguments row(String spec, String... reasons) {
    return Arguments.of(spec, List.of(reasons));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource
  void invalid(String spec, List<String> reasons) {
    assertThatThrownBy(() -> Fixtures.policy(spec))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class, e -> assertThat(e.reasons()).isEqualTo(reasons));
  }

  @Test
  void reportsEveryBadFieldAtOnce() {
    String spec =
        """
        match:
          names: ["bot-features*", "bad[1]"]
        rules:
          - name: features-file
            key: features.json
            format: json
            maxItems: {path: "$.features[", max: 200}
          - name: growth
            maxGrowth: {path: "$.features", ratio: -1}
          - name: cel
            cel: "object.data.size() >"
        """;
    assertThatThrownBy(() -> Fixtures.policy(spec))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e ->
                assertThat(e.reasons())
                    .extracting(r -> r.substring(0, r.indexOf(':')))
                    .containsExactly(
                        "spec.match.names[1]",
                        "spec.rules[0].maxItems.path",
                        "spec.rules[1].maxGrowth.ratio",
                        "spec.rules[2].cel"));
  }

  @Test
  void aConfigPolicyCannotSelectNamespaces() {
    assertThatThrownBy(
            () ->
                Fixtures.COMPILER.compile(
                    PolicyRef.namespaced("edge", "p"),
                    Fixtures.spec(
                        Fixtures.yaml(
                            "match: {namespaceSelector: {matchLabels: {a: b}}}\n"
                                + "rules: [{name: r, maxKeys: 1}]"))))
        .hasMessage(
            "spec.match.namespaceSelector: only a ClusterConfigPolicy selects namespaces; a"
                + " ConfigPolicy applies to its own namespace");
  }

  @Test
  void aValidPolicyCompilesWithItsDefaults() throws Exception {
    Policy policy = Fixtures.manifest(Fixtures.resource("cloudflare/policy.yaml"));
    assertThat(policy.ref()).isEqualTo(PolicyRef.cluster("bot-features"));
    assertThat(policy.enforcement()).isEqualTo(Enforcement.Deny);
    assertThat(policy.kinds()).containsExactly(new ObjectKind("", "*", "ConfigMap"));
    assertThat(policy.ruleNames()).containsExactly("features-file", "growth");
  }
}
