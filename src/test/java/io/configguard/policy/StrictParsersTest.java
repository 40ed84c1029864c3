package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.Format;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strict parsers: what each format accepts (as JSON) and how each failure reads, with its
 * location. Duplicate keys are errors in every format.
 */
class StrictParsersTest {
  static final Parsers PARSERS = new Parsers(Limits.DEFAULT);

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of(
            Format.json, "{\"a\": [1, 2.5, true, null, \"x\"]}", "{\"a\":[1,2.5,true,null,\"x\"]}"),
        Arguments.of(Format.json, "  42  ", "42"),
        Arguments.of(Format.json, "{\"a\": {\"a\": 1}}", "{\"a\":{\"a\":1}}"),
        Arguments.of(
            Format.yaml,
            "a: 1\nb: [x, 'y']\nc: {d: null}\n",
            "{\"a\":1,\"b\":[\"x\",\"y\"],\"c\":{\"d\":null}}"),
        Arguments.of(
            Format.yaml, "base: &b {x: 1}\ncopy: *b\n", "{\"base\":{\"x\":1},\"copy\":{\"x\":1}}"),
        Arguments.of(Format.yaml, "on: yes\nn: 012\n", "{\"on\":\"yes\",\"n\":12}"),
        Arguments.of(Format.yaml, "", "null"),
        // Merge keys: a merged entry is no duplicate, an explicit key overrides a merged one,
        // earlier merged mappings win over later ones.
        Arguments.of(
            Format.yaml,
            "defaults: &d {timeout: 5, retries: 3}\nprod:\n  <<: *d\n  timeout: 10\n",
            "{\"defaults\":{\"timeout\":5,\"retries\":3},\"prod\":{\"timeout\":10,\"retries\":3}}"),
        Arguments.of(
            Format.yaml,
            "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  w: 0\n  <<: [*a, *b]\n  x: 9\n",
            "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2},\"c\":{\"w\":0,\"x\":9,\"y\":1,\"z\":2}}"),
        Arguments.of(Format.yaml, "c:\n  x: 1\n  <<: {x: 2, y: 2}\n", "{\"c\":{\"x\":1,\"y\":2}}"),
        Arguments.of(Format.yaml, "'<<': 1\n", "{\"<<\":1}"),
        Arguments.of(
            Format.properties,
            "# comment\n! also\na=1\nb : two words\nc three\n  d=\\u00e9\\tx\nlong = one \\\n    two\nkey\\ with\\=eq = v\nempty\n",
            "{\"a\":\"1\",\"b\":\"two words\",\"c\":\"three\",\"d\":\"é\\tx\",\"long\":\"one two\",\"key with=eq\":\"v\",\"empty\":\"\"}"),
        Arguments.of(Format.properties, "a=1\r\nb=2\rc=3", "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}"),
        Arguments.of(Format.properties, "# a comment ending in \\\na=1", "{\"a\":\"1\"}"),
        Arguments.of(Format.text, "any text, even {not json", "\"any text, even {not json\""));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource
  void accepted(Format format, String text, String json) {
    Parsed parsed = PARSERS.parse(format, text);
    assertThat(parsed.error()).isNull();
    assertThat(parsed.node().toString()).isEqualTo(json);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            Format.json,
            "{\"[Source:a\": 1, \"[Source:a\": 2}",
            "duplicate key \"[Source:a\" at line 1, column 18 in JSON"),
        Arguments.of(
            Format.json,
            "{\"it's (x)\": 1, \"it's (x)\": 2}",
            "duplicate key \"it's (x)\" at line 1, column 17 in JSON"),
        Arguments.of(
            Format.yaml,
            "d: &d {a: 1}\ne:\n  <<: *d\n  a: 2\n  a: 3\n",
            "duplicate key \"a\" at line 5, column 3 in YAML"),
        Arguments.of(
            Format.yaml,
            "e:\n  <<: 1\n",
            "invalid YAML at line 2, column 7: a merge key (<<) takes a mapping or a sequence of mappings"),
        Arguments.of(
            Format.json,
            "{\n  \"a\": 1,\n    \"a\": 2\n}",
            "duplicate key \"a\" at line 3, column 5 in JSON"),
        Arguments.of(
            Format.json,
            "{\"x\": {\"k\\\"q\": 1, \"k\\\"q\": 2}}",
            "duplicate key \"k\"q\" at line 1, column 19 in JSON"),
        Arguments.of(
            Format.json,
            "{\"a\": [1, 2,}",
            "invalid JSON at line 1, column 13: Unexpected character ('}' (code 125)): expected a value"),
        Arguments.of(
            Format.json,
            "{\"a\":1} {}",
            "invalid JSON at line 1, column 9: Trailing token (of type START_OBJECT) found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`"),
        Arguments.of(Format.json, "", "invalid JSON: empty document"),
        Arguments.of(
            Format.json,
            "{'a': 1}",
            "invalid JSON at line 1, column 2: Unexpected character (''' (code 39)): was expecting double-quote to start field name"),
        Arguments.of(
            Format.yaml, "a: 1\nb: 2\na: 3\n", "duplicate key \"a\" at line 3, column 1 in YAML"),
        Arguments.of(
            Format.yaml,
            "outer:\n  x: 1\n  x: 2\n",
            "duplicate key \"x\" at line 3, column 3 in YAML"),
        Arguments.of(
            Format.yaml,
            "a: [1, 2\n",
            "invalid YAML at line 2, column 1: while parsing a flow sequence: expected ',' or ']', but got <stream end>"),
        Arguments.of(
            Format.yaml,
            "a: 1\n---\nb: 2\n",
            "invalid YAML at line 2, column 1: expected a single document in the stream, but found another document"),
        Arguments.of(
            Format.yaml,
            "a: !custom 1\n",
            "invalid YAML at line 1, column 4: could not determine a constructor for the tag !custom"),
        Arguments.of(
            Format.yaml,
            "a: !<x%20> 1\n",
            "invalid YAML at line 1, column 4: invalid tag \"x \": Tag must not contain leading or"
                + " trailing spaces."),
        Arguments.of(
            Format.yaml,
            "a: \"x\\u",
            "invalid YAML: java.lang.NumberFormatException: For input string: \"\" under radix 16"),
        Arguments.of(
            Format.yaml,
            "a: *nope\n",
            "invalid YAML at line 1, column 4: found undefined alias nope"),
        Arguments.of(
            Format.yaml, "1: a\n\"1\": b\n", "duplicate key \"1\" at line 2, column 1 in YAML"),
        Arguments.of(
            Format.properties,
            "a=1\nb=2\n\na = 3\n",
            "duplicate key \"a\" at line 4 in properties (first at line 1)"),
        Arguments.of(
            Format.properties,
            "x=1\nlong=a\\\n  b\nx=2",
            "duplicate key \"x\" at line 4 in properties (first at line 1)"),
        Arguments.of(
            Format.properties,
            "a=\\u12G4\n",
            "invalid properties at line 1: malformed \\uXXXX escape"),
        Arguments.of(
            Format.properties,
            "a=\\u12\n",
            "invalid properties at line 1: malformed \\uXXXX escape"),
        Arguments.of(
            Format.text,
            "bad \ud800 surrogate",
            "not valid UTF-8: unpaired surrogate at character 4"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource
  void refused(Format format, String text, String error) {
    Parsed parsed = PARSERS.parse(format, text);
    assertThat(parsed.node()).isNull();
    assertThat(parsed.error()).isEqualTo(error);
  }
}
