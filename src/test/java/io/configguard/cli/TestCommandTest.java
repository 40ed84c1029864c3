package io.configguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code configguard test}: the shipped suites pass; failures and malformed suites are named. */
class TestCommandTest {
  static final String CF = Path.of("src/test/resources/cloudflare").toAbsolutePath() + "/";

  @Test
  void theExampleSuitesPass() {
    Cli cli = Cli.test("deploy/examples");
    assertThat(cli.exit()).as(cli.out() + cli.err()).isEqualTo(0);
    assertThat(cli.out())
        .contains(
            "PASS deploy/examples/policies/updates/configguard-test.yaml: ConfigMap"
                + " edge/bot-features: deny [features-file, growth]")
        .contains("10 passed, 0 failed");
  }

  static Path suite(Path dir, String expect) throws Exception {
    Files.writeString(
        dir.resolve("configguard-test.yaml"),
        "policies: ["
            + CF
            + "policy.yaml]\nresources: ["
            + CF
            + "features-doubled.yaml, "
            + CF
            + "features-60.yaml]\nold: ["
            + CF
            + "features-60.yaml]\n"
            + expect);
    return dir;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "wrong result | {file: CF/features-60.yaml, kind: ConfigMap, name: bot-features, result: deny}"
            + " | ConfigMap bot-features: result allow, expected deny",
        "rules missing and extra | {file: CF/features-doubled.yaml, kind: ConfigMap, name: bot-features, result: deny, rules: [growth, size]}"
            + " | rules [features-file, growth], expected [growth, size]; did not fire: [size]; also fired: [features-file]",
        "ambiguous | {kind: ConfigMap, namespace: edge, name: bot-features, result: deny}"
            + " | 2 objects match (",
        "absent | {kind: ConfigMap, name: nope, result: allow} | ConfigMap nope: no such object among the suite's resources",
      })
  void aFailedExpectationSaysWhatDiffered(
      String name, String expectation, String line, @TempDir Path dir) throws Exception {
    Cli cli =
        Cli.test(suite(dir, "expect:\n  - " + expectation.replace("CF/", CF) + "\n").toString());
    assertThat(cli.exit()).as(cli.err()).isEqualTo(1);
    assertThat(cli.out()).contains("FAIL " + dir.resolve("configguard-test.yaml")).contains(line);
    assertThat(cli.out()).contains("0 passed, 1 failed");
  }

  @Test
  void aFailureListsTheViolationsUnderIt(@TempDir Path dir) throws Exception {
    Cli cli =
        Cli.test(
            suite(
                    dir,
                    "expect:\n  - {file: features-60.yaml, kind: ConfigMap, name: x, result: allow}\n"
                        + "  - {file: "
                        + CF
                        + "features-doubled.yaml, kind: ConfigMap, name: bot-features, result: allow}\n")
                .toString());
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out())
        .contains("result deny, expected allow")
        .contains(
            "    bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio 2.00 > 1.5)")
        .contains("0 passed, 2 failed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no expect | | expect: required",
        "unknown field | expect: [{kind: ConfigMap, name: a, result: allow}]\\nexpected: [] | expected: unknown field",
        "bad result | expect: [{kind: ConfigMap, name: a, result: denied}] | expect[0].result: must be allow, deny or warn, not \"denied\"",
        "no kind | expect: [{name: a, result: allow}] | expect[0].kind: required",
        "rules not a list | expect: [{kind: ConfigMap, name: a, result: allow, rules: growth}] | expect[0].rules: must be a list of rule names",
        "typo in a field | expect: [{kind: ConfigMap, name: a, result: allow, rule: [growth]}] | expect[0].rule: unknown field",
      })
  void aMalformedSuiteExitsWithTwoNamingFieldAndFile(
      String name, String body, String message, @TempDir Path dir) throws Exception {
    Path suite = suite(dir, body == null ? "" : body.replace("\\n", "\n") + "\n");
    Cli cli = Cli.test(suite.toString());
    assertThat(cli.exit()).as(cli.out()).isEqualTo(2);
    assertThat(cli.err())
        .contains("configguard test: " + suite.resolve("configguard-test.yaml") + ": " + message);
  }

  @Test
  void missingInputIsMalformedToo(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("configguard-test.yaml"),
        "policies: [nope]\nresources: [.]\nexpect: [{kind: ConfigMap, name: a, result: allow}]\n");
    Cli cli = Cli.test(dir.toString());
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err())
        .contains("configguard-test.yaml: policies: nope: no such file or directory");
    assertThat(Cli.test(dir.resolve("empty").toString()).exit()).isEqualTo(2);
    Files.createDirectories(dir.resolve("empty"));
    Cli empty = Cli.test(dir.resolve("empty").toString());
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("no configguard-test.yaml found");
  }
}
