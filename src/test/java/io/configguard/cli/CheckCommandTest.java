package io.configguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code configguard check} exit codes and reports, on the Cloudflare scenario and on bad input.
 * The lines are the engine's own, as the webhook returns them (CliWebhookParityTest).
 */
class CheckCommandTest {
  static final String CF = "src/test/resources/cloudflare/";
  static final String POLICY = "--policies=" + CF + "policy.yaml";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // case | manifest | --old | exit | a line of stdout
        "60 features pass | features-60.yaml | | 0 | 1 objects checked against 1 policies: 0 denied",
        "60 features, unchanged | features-60.yaml | features-60.yaml | 0 | 0 denied",
        "doubled rows: duplicate | features-doubled.yaml | features-60.yaml | 1 | "
            + "  deny  bot-features/features-file: features.json: duplicate \"bot_score\" at $.features[60].name (first at $.features[0].name)",
        "doubled rows: growth | features-doubled.yaml | features-60.yaml | 1 | "
            + "  deny  bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio 2.00 > 1.5)",
        "doubled rows: an UPDATE | features-doubled.yaml | features-60.yaml | 1 | "
            + "DENY "
            + CF
            + "features-doubled.yaml: ConfigMap edge/bot-features (UPDATE)",
        "201 features: the limit | features-201.yaml | | 1 | "
            + "  deny  bot-features/features-file: features.json: 201 items at $.features exceeds maxItems 200",
        "invalid JSON: location | invalid.yaml | features-60.yaml | 1 | "
            + "  deny  bot-features/features-file: features.json: invalid JSON at line 21, column 1: Unexpected end-of-input within/between Array entries",
        "duplicated key: location | dupkey.yaml | | 1 | "
            + "  deny  bot-features/features-file: features.json: duplicate key \"name\" at line 6, column 66 in JSON",
      })
  void judgesTheCloudflareScenario(
      String name, String manifest, String old, int exit, String line) {
    Cli cli =
        old == null
            ? Cli.check(POLICY, CF + manifest)
            : Cli.check(POLICY, "--old", CF + old, CF + manifest);
    assertThat(cli.exit()).as(cli.err()).isEqualTo(exit);
    assertThat(cli.out()).contains(line);
  }

  @Test
  void withoutTheOldVersionGrowthIsNotJudged() {
    Cli cli = Cli.check(POLICY, CF + "features-doubled.yaml");
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out()).contains("(CREATE)").contains("duplicate").doesNotContain("grew");
  }

  @Test
  void jsonOutputCarriesEveryViolationAndItsLine() throws Exception {
    Cli cli = Cli.check(POLICY, "--output", "json", "--old", CF + "features-60.yaml", CF);
    assertThat(cli.exit()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(cli.out());
    assertThat(report.path("summary").path("policies").asInt()).isEqualTo(1);
    // five ConfigMaps and the policy itself, which is an object in the folder like any other
    assertThat(report.path("summary").path("objects").asInt()).isEqualTo(6);
    assertThat(report.path("summary").path("denied").asInt()).isEqualTo(4);
    JsonNode doubled = null;
    for (JsonNode o : report.path("objects")) {
      if (o.path("source").asText().endsWith("features-doubled.yaml")) {
        doubled = o;
      }
    }
    assertThat(doubled).isNotNull();
    assertThat(doubled.path("operation").asText()).isEqualTo("UPDATE");
    assertThat(doubled.path("allowed").asBoolean()).isFalse();
    JsonNode growth = doubled.path("violations").get(doubled.path("violations").size() - 1);
    assertThat(growth.path("policy").asText()).isEqualTo("bot-features");
    assertThat(growth.path("rule").asText()).isEqualTo("growth");
    assertThat(growth.path("enforcement").asText()).isEqualTo("Deny");
    assertThat(growth.path("location").asText()).isEqualTo("features.json");
    assertThat(growth.path("line").asText())
        .isEqualTo(
            "bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio 2.00 > 1.5)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no arguments | | Missing required options and parameters",
        "no manifests | --policies=src/test/resources/cloudflare/policy.yaml | Missing required parameter",
        "unknown option | --policies=x --bogus y | Unknown option: '--bogus'",
        "bad --output | --policies=x --output=xml y | Invalid value for option '--output'",
        "missing manifest | --policies=src/test/resources/cloudflare/policy.yaml nope.yaml | nope.yaml: no such file or directory",
        "missing policies | --policies=nope src/test/resources/cloudflare | nope: no such file or directory",
      })
  void usageErrorsAndUnreadableInputExitWithTwo(String name, String args, String message) {
    Cli cli = Cli.check(args == null ? new String[0] : args.split(" "));
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err()).contains(message);
  }

  @Test
  void aPolicyThatDoesNotCompileIsAnErrorNotAPass(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("broken.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: configguard.io/v1alpha1
        kind: ClusterConfigPolicy
        metadata: {name: broken}
        spec:
          rules:
            - {name: bad, cel: "object.data.size( >"}
            - {name: worse, maxItem: {path: $.a, max: 1}}
        """);
    Cli cli = Cli.check("--policies", policy.toString(), CF + "features-60.yaml");
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err())
        .contains(policy + ": ClusterConfigPolicy broken: spec.rules[1].maxItem: unknown field");
  }

  @Test
  void anUnreadableManifestIsAnError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n");
    Cli cli = Cli.check(POLICY, dir.toString());
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err()).contains("cm.yaml: invalid YAML").contains("kind");
  }

  @Test
  void warningsAloneDoNotFailTheCheck() {
    Cli cli =
        Cli.check(
            "--policies=src/test/resources/admission/policies",
            "--namespace=edge",
            "src/test/resources/cloudflare/features-60.yaml",
            "src/test/resources/admission/manifests/edge-routes-30.yaml");
    assertThat(cli.exit()).as(cli.err()).isEqualTo(0);
    assertThat(cli.out())
        .contains(
            "WARN src/test/resources/admission/manifests/edge-routes-30.yaml: ConfigMap edge/edge-routes (CREATE)")
        .contains(
            "  warn  edge-routes-advice/many-routes: routes.yaml: 30 items at $.routes exceeds maxItems 20");
  }

  @Test
  void namespaceObjectsAmongTheManifestsGiveTheirLabels(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: configguard.io/v1alpha1
        kind: ClusterConfigPolicy
        metadata: {name: edge-only}
        spec:
          match: {namespaceSelector: {matchLabels: {tier: edge}}}
          rules: [{name: one-key, maxKeys: 1}]
        """);
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(
        manifests.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: edge}\ndata: {a: '1', b: '2'}\n");

    assertThat(Cli.check("--policies", policy.toString(), manifests.toString()).exit())
        .isEqualTo(0);

    Files.writeString(
        manifests.resolve("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: edge, labels: {tier: edge}}\n");
    Cli cli = Cli.check("--policies", policy.toString(), manifests.toString());
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out())
        .contains("edge-only/one-key: 2 keys in data and binaryData, exceeds maxKeys 1");
  }
}
