package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Format;
import io.configguard.policy.parse.ParseFailure;
import io.configguard.policy.parse.StrictYaml;
import io.configguard.policy.path.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the strict parsers and JSONPath: any input ends in a value or a clear failure, never
 * another exception. Regression mode (the normal suite) replays the corpus in
 * src/test/resources/fuzz/io/configguard/policy/ParserFuzzTestInputs/; {@code JAZZER_FUZZ=1} fuzzes
 * for {@code maxDuration} (see docs/security.md, Fuzzing).
 */
class ParserFuzzTest {
  private static final Parsers PARSERS = new Parsers(Limits.DEFAULT);
  private static final StrictYaml YAML11 = new StrictYaml(Limits.DEFAULT, true);
  private static final Policy CASE_INSENSITIVE = caseInsensitive();
  private static final JsonNode DOCUMENT =
      Fixtures.yaml("{a: [1, {b: [x, y]}, 3], c: {d: {e: 1}}, '': [[]]}");

  /**
   * The first byte picks json, yaml or properties (its value mod 3) and whether the opt-in key
   * strictness runs too (yaml11 for YAML, case-insensitive keys for JSON); the rest is the value.
   * YAML merge keys ({@code <<}) are in the corpus.
   */
  @FuzzTest(maxDuration = "10m")
  void parsers(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int first = Byte.toUnsignedInt(input[0]);
    Format format =
        switch (first % 3) {
          case 0 -> Format.json;
          case 1 -> Format.yaml;
          default -> Format.properties;
        };
    String text = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
    Parsed parsed = PARSERS.parse(format, text);
    assertThat(parsed).isNotNull();
    if ((first / 3) % 2 == 1) {
      if (format == Format.yaml) {
        try {
          YAML11.parse(text);
        } catch (ParseFailure e) {
          assertThat(e.getMessage()).isNotEmpty();
        }
      } else if (format == Format.json && parsed.ok()) {
        List<Violation> found = new ArrayList<>();
        Policy policy = CASE_INSENSITIVE;
        found.addAll(
            policy.evaluate(Target.create(Fixtures.configMap(java.util.Map.of("f.json", text)))));
        assertThat(found).allSatisfy(v -> assertThat(v.message()).contains("duplicate key"));
      }
    }
  }

  private static Policy caseInsensitive() {
    try {
      return Fixtures.rule("key: f.json\nformat: json\nduplicateKeys: caseInsensitive");
    } catch (InvalidPolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A path parses or fails with a SyntaxError; a parsed path selects without throwing. */
  @FuzzTest(maxDuration = "10m")
  void jsonPath(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    JsonPath path;
    try {
      path = JsonPath.parse(text);
    } catch (JsonPath.SyntaxError e) {
      assertThat(e.position()).isBetween(0, text.length());
      return;
    }
    assertThat(JsonPath.parse(path.toString())).isEqualTo(path);
    path.select(DOCUMENT);
    path.count(DOCUMENT);
  }
}
