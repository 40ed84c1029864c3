package io.configguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code configguard check} reads every object {@code kubectl apply -f} would apply. */
class KubectlInputTest {
  static final String POLICY = "--policies=src/test/resources/cloudflare/policy.yaml";

  @TempDir Path dir;

  /** The hidden bot-features ConfigMap: 300 features, every name twice. */
  static String botFeatures() {
    StringBuilder features = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      features
          .append(i == 0 ? "" : ",")
          .append("{\\\"name\\\": \\\"f")
          .append(i % 150)
          .append("\\\"}");
    }
    return "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\":"
        + " \"bot-features\", \"namespace\": \"edge\"}, \"data\": {\"features.json\":"
        + " \"{\\\"features\\\": ["
        + features
        + "]}\"}}";
  }

  static final String HARMLESS =
      "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"harmless\","
          + " \"namespace\": \"edge\"}, \"data\": {\"a\": \"b\"}}";

  @Test
  void aListNestedInAListIsExpanded() throws Exception {
    Files.writeString(
        dir.resolve("nested.json"),
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": ["
            + HARMLESS
            + ", {\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": ["
            + botFeatures()
            + "]}]}");
    Cli cli = Cli.check(POLICY, dir.toString());
    assertThat(cli.exit()).as(cli.err() + cli.out()).isEqualTo(1);
    assertThat(cli.out())
        .contains("2 objects checked against 1 policies: 1 denied")
        .contains("duplicate \"f0\" at $.features[150].name");
  }

  @Test
  void aJsonFileOfConcatenatedObjectsIsReadToTheEnd() throws Exception {
    Files.writeString(dir.resolve("stream.json"), HARMLESS + "\n" + botFeatures() + "\n");
    Cli cli = Cli.check(POLICY, dir.toString());
    assertThat(cli.exit()).as(cli.err() + cli.out()).isEqualTo(1);
    assertThat(cli.out())
        .contains("2 objects checked against 1 policies: 1 denied")
        .contains("duplicate \"f0\" at $.features[150].name");
  }

  @Test
  void binaryDataWithLineBreaksIsBase64AsKubectlReadsIt() throws Exception {
    String json =
        "{\"features\": [{\"name\": \"a\"}, {\"name\": \"a\"}], \"pad\": \""
            + "x".repeat(90)
            + "\"}";
    String base64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    StringBuilder wrapped = new StringBuilder();
    for (int i = 0; i < base64.length(); i += 60) {
      wrapped.append("    ").append(base64, i, Math.min(base64.length(), i + 60)).append('\n');
    }
    Files.writeString(
        dir.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bot-features, namespace: edge}\n"
            + "binaryData:\n  features.json: |\n"
            + wrapped);
    Cli cli = Cli.check(POLICY, dir.toString());
    assertThat(cli.out()).doesNotContain("not valid base64");
    assertThat(cli.out()).contains("duplicate \"a\" at $.features[1].name");
    assertThat(cli.exit()).as(cli.err() + cli.out()).isEqualTo(1);
  }
}
