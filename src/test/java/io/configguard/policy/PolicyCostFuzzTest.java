package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.configguard.api.PolicySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Fuzzes the static policy cost estimation (issue 13 items 3-5): regex program size, CEL string
 * growth and JSON Schema expansion. Every input is estimated without an exception; the regex
 * estimate is never below the real program size; a policy the estimates admit compiles and then
 * evaluates within its bounds. Regression mode replays
 * src/test/resources/fuzz/io/configguard/policy/PolicyCostFuzzTestInputs/costs/.
 */
class PolicyCostFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PolicyCompiler COMPILER =
      new PolicyCompiler(new Limits(64, 50, 3L << 20, 100_000, Duration.ofMillis(200)));
  private static final Target TARGET =
      Target.create(
          Fixtures.configMap(
              Map.of(
                  "config.json",
                  "{\"features\": [{\"name\": \"a-b\"}, {\"name\": \"c\"}], \"n\": 1}",
                  "text",
                  "aaaa-bbbb-".repeat(200))));

  /** The first byte picks a regex, a CEL expression or a JSON schema; the rest is its text. */
  @FuzzTest(maxDuration = "10m")
  void costs(byte[] input) {
    if (input.length == 0) {
      return;
    }
    String text = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
    switch (Byte.toUnsignedInt(input[0]) % 3) {
      case 0 -> regex(text);
      case 1 -> compileAndEvaluate(FuzzPolicies.celSpec(text));
      default -> {
        JsonNode schema;
        try {
          schema = JSON.readTree(text);
        } catch (JsonProcessingException e) {
          return;
        }
        if (schema != null) {
          SchemaCost.problem(schema, 64);
          compileAndEvaluate(FuzzPolicies.schemaSpec(schema));
        }
      }
    }
  }

  private static void regex(String regex) {
    long estimate = Regexes.estimate(regex);
    assertThat(estimate).isNotNegative();
    String problem = Regexes.problem(regex);
    if (estimate <= Regexes.MAX_ESTIMATE) {
      try {
        int size = Pattern.compile(regex).programSize();
        assertThat(estimate).as(regex).isGreaterThanOrEqualTo(size);
        assertThat(problem == null).as(regex).isEqualTo(size <= Regexes.MAX_PROGRAM);
      } catch (PatternSyntaxException e) {
        assertThat(problem).isNotNull();
      }
    } else {
      assertThat(problem).isNotNull();
    }
  }

  private static void compileAndEvaluate(JsonNode spec) {
    PolicySpec parsed;
    try {
      parsed = JSON.treeToValue(spec, PolicySpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return;
    }
    FuzzPolicies.compileAndEvaluate(COMPILER, parsed, TARGET);
  }
}
