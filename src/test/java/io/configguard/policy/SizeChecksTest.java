package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static io.configguard.policy.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** maxTotalBytes, maxKeys and maxBytes: one row per case, pass rows expect nothing. */
class SizeChecksTest {
  static Stream<Arguments> cases() {
    Map<String, String> abc = Map.of("a", "12345", "b", "123456");
    return Stream.of(
        row("maxTotalBytes: 11", configMap(abc)),
        row(
            "maxTotalBytes: 10",
            configMap(abc),
            "data and binaryData total 11 bytes, exceeds maxTotalBytes 10"),
        // "AAAA" is three bytes once decoded; é is two bytes of UTF-8.
        row("maxTotalBytes: 10", configMap(Map.of("t", "12345é"), Map.of("b", "AAAA"))),
        row(
            "maxTotalBytes: 9",
            configMap(Map.of("t", "12345é"), Map.of("b", "AAAA")),
            "data and binaryData total 10 bytes, exceeds maxTotalBytes 9"),
        row("maxTotalBytes: 1\nkey: z*", configMap(abc)),
        row(
            "maxTotalBytes: 4\nkey: a",
            configMap(abc),
            "data and binaryData total 5 bytes, exceeds maxTotalBytes 4"),
        row(
            "maxTotalBytes: 50",
            Fixtures.yaml(
                "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: r}\nspec: {hosts: [a, b, c]}"),
            "object is 101 bytes of JSON, exceeds maxTotalBytes 50"),
        row("maxKeys: 2", configMap(abc)),
        row("maxKeys: 1", configMap(abc), "2 keys in data and binaryData, exceeds maxKeys 1"),
        row(
            "maxKeys: 1",
            configMap(Map.of("a", "1"), Map.of("b", "AAAA")),
            "2 keys in data and binaryData, exceeds maxKeys 1"),
        row("maxKeys: 1\nkey: a*", configMap(abc)),
        row("maxBytes: 6", configMap(abc)),
        row("maxBytes: 5", configMap(abc), "b: value is 6 bytes, exceeds maxBytes 5"),
        row(
            "maxBytes: 4",
            configMap(abc),
            "a: value is 5 bytes, exceeds maxBytes 4",
            "b: value is 6 bytes, exceeds maxBytes 4"),
        row("maxBytes: 5\nkey: a", configMap(abc)),
        row(
            "maxBytes: 2",
            configMap(Map.of(), Map.of("bin", "AAAAAA==")),
            "bin: value is 4 bytes, exceeds maxBytes 2"),
        row(
            "maxBytes: 10\npath: $.spec.hosts[*]",
            Fixtures.yaml(
                "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: r}\n"
                    + "spec: {hosts: [short, a-very-long-host-name]}"),
            "$.spec.hosts[1] is 21 bytes, exceeds maxBytes 10"));
  }

  static Arguments row(String rule, JsonNode object, String... expected) {
    return Arguments.of(rule.replace('\n', ' '), object, List.of(expected));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("cases")
  void check(String rule, JsonNode object, List<String> expected) throws Exception {
    String yaml = rule.replace(" key:", "\nkey:").replace(" path:", "\npath:");
    assertThat(report(rule(yaml), Target.create(object))).isEqualTo(expected);
  }
}
