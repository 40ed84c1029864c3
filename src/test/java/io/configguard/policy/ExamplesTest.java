package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped examples under deploy/examples: policies compile, good passes, bad is caught. */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("deploy/examples");
  static PolicySet policies;

  @BeforeAll
  static void load() throws Exception {
    List<Policy> compiled = new ArrayList<>();
    for (Path file : files("policies")) {
      compiled.add(Fixtures.manifest(read(file)));
    }
    policies = PolicySet.of(compiled);
  }

  static List<Path> files(String dir) throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES.resolve(dir))) {
      // configguard-test.yaml beside the policies is their test suite, not a policy
      return s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("configguard-test.yaml"))
          .sorted()
          .toList();
    }
  }

  static JsonNode read(Path file) throws IOException {
    return Fixtures.YAML.readTree(file.toFile());
  }

  static JsonNode configMap(String name) throws IOException {
    return read(EXAMPLES.resolve("configmaps").resolve(name));
  }

  @Test
  void everyExamplePolicyCompiles() {
    assertThat(policies.policies())
        .extracting(p -> p.ref().name())
        .containsExactly("bot-features", "edge-routes", "strict-formats");
  }

  @Test
  void goodConfigMapsPassEveryPolicy() throws IOException {
    for (Path file : files("configmaps/good")) {
      JsonNode cm = read(file);
      assertThat(policies.evaluate(Target.create(cm)).violations()).as(file.toString()).isEmpty();
      assertThat(policies.evaluate(Target.update(cm, cm)).violations())
          .as(file.toString())
          .isEmpty();
    }
  }

  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of(
            "bad/bot-features-doubled.yaml",
            List.of(
                "bot-features/features-file: features.json: duplicate \"bot_score\" at"
                    + " $.features[60].name (first at $.features[0].name)",
                "bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio"
                    + " 2.00 > 1.5)")),
        Arguments.of(
            "bad/bot-features-201.yaml",
            List.of(
                "bot-features/features-file: features.json: 201 items at $.features exceeds"
                    + " maxItems 200",
                "bot-features/growth: features.json: $.features grew from 60 to 201 items (ratio"
                    + " 3.35 > 1.5)")),
        Arguments.of(
            "bad/bot-features-truncated.yaml",
            List.of(
                "bot-features/features-file: features.json: invalid JSON at line 21, column 1:"
                    + " Unexpected end-of-input within/between Array entries",
                "strict-formats/json: features.json: invalid JSON at line 21, column 1: Unexpected"
                    + " end-of-input within/between Array entries")),
        Arguments.of(
            "bad/bot-features-duplicate-key.yaml",
            List.of(
                "bot-features/features-file: features.json: duplicate key \"name\" at line 6,"
                    + " column 66 in JSON",
                "strict-formats/json: features.json: duplicate key \"name\" at line 6, column 66 in"
                    + " JSON")),
        Arguments.of(
            "bad/edge-routes-duplicate-host.yaml",
            List.of(
                "edge-routes/routes: routes.yaml: duplicate \"h3.example.com\" at"
                    + " $.routes[7].host (first at $.routes[3].host)")),
        Arguments.of(
            "bad/app-settings-duplicate-key.yaml",
            List.of(
                "strict-formats/properties: app.properties: duplicate key \"pool.size\" at line 4"
                    + " in properties (first at line 1)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void bad(String file, List<String> expected) throws IOException {
    JsonNode cm = configMap(file);
    // Compared against the good version of the same ConfigMap when there is one (UPDATE).
    Path good =
        EXAMPLES.resolve("configmaps/good/" + cm.path("metadata").path("name").asText() + ".yaml");
    Verdict verdict =
        policies.evaluate(Files.exists(good) ? Target.update(cm, read(good)) : Target.create(cm));
    // The first twenty duplicates and a summary are reported; compare the distinct rules here.
    List<String> firstPerRule = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Violation v : verdict.violations()) {
      if (!seen.contains(v.policy() + "/" + v.rule())) {
        seen.add(v.policy() + "/" + v.rule());
        firstPerRule.add(v.line());
      }
    }
    assertThat(firstPerRule).isEqualTo(expected);
  }
}
