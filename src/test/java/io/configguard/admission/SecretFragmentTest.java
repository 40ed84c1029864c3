package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.files.ManifestFiles;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.configguard.policy.Verdicts;
import io.configguard.policy.Violation;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Secret's value never reaches a denial, a warning or a log, not even a fragment: values are
 * redacted where they are rendered (by location), whatever their length around the 77-character cut
 * of rendered values.
 */
class SecretFragmentTest {
  static IntStream lengths() {
    return IntStream.rangeClosed(1, 100);
  }

  @ParameterizedTest(name = "password of {0} bytes")
  @MethodSource("lengths")
  void noPartOfAChangedOrDuplicatedPasswordIsShown(int length) throws Exception {
    String before = "S3cr".repeat(30).substring(0, length);
    String after = "Tr0ub4dor&3-horse-battery-staple-".repeat(4).substring(0, length);
    Policy policy =
        new PolicyCompiler(Limits.DEFAULT)
            .compile(
                PolicyRef.cluster("secrets"),
                PolicyFiles.spec(
                    ManifestFiles.JSON.readTree(
                        "{\"enforcement\": \"Audit\", \"match\": {\"resources\": [{\"apiGroups\":"
                            + " [\"\"], \"kinds\": [\"Secret\"]}]}, \"rules\": [{\"name\": \"pw\","
                            + " \"immutable\": [\"$.data.password\"]}, {\"name\": \"once\","
                            + " \"unique\": {\"path\": \"$.data.*\"}}]}"),
                    new java.util.ArrayList<>()));
    Target target = Target.update(secret(after, true), secret(before, false));

    Verdict verdict = Verdicts.evaluate(PolicySet.of(List.of(policy)), target);
    List<String> lines = Verdicts.lines(verdict.violations());
    assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
    assertThat(String.join("\n", lines)).contains("<redacted>").contains("$.data.password");
    for (String secret : List.of(before, after, b64(before), b64(after))) {
      for (String line : lines) {
        assertThat(sharedRun(line, secret))
            .as("%s shares a run of 4+ characters with a %d-byte secret", line, length)
            .isLessThan(Math.min(4, secret.length() + 1));
      }
    }
    // The engine itself renders no value of a Secret: the redaction is not a scrub afterwards.
    List<Violation> raw = policy.evaluate(target);
    assertThat(raw)
        .extracting(Violation::message)
        .allSatisfy(
            m ->
                assertThat(m)
                    .doesNotContain(b64(after).substring(0, Math.min(4, b64(after).length()))));
  }

  private static JsonNode secret(String password, boolean duplicated) {
    ObjectNode secret = ManifestFiles.JSON.createObjectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    secret.putObject("metadata").put("name", "db").put("namespace", "edge");
    ObjectNode data = secret.putObject("data");
    data.put("password", b64(password));
    if (duplicated) {
      data.put("copy", b64(password));
    }
    return secret;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Length of the longest substring of {@code secret} that appears in {@code line}. */
  private static int sharedRun(String line, String secret) {
    int best = 0;
    for (int i = 0; i < secret.length(); i++) {
      for (int j = i + best + 1; j <= secret.length(); j++) {
        if (line.contains(secret.substring(i, j))) {
          best = j - i;
        } else {
          break;
        }
      }
    }
    return best;
  }

  /** key: rules judge a Secret's data (base64-decoded) and stringData like ConfigMap data. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "data | {\"a\": 1,",
        "stringData | {\"a\": 1,",
      })
  void keyRulesJudgeSecretData(String field, String brokenJson) throws Exception {
    Policy policy =
        new PolicyCompiler(Limits.DEFAULT)
            .compile(
                PolicyRef.cluster("secret-config"),
                PolicyFiles.spec(
                    ManifestFiles.JSON.readTree(
                        "{\"match\": {\"resources\": [{\"apiGroups\": [\"\"], \"kinds\":"
                            + " [\"Secret\"]}]}, \"rules\": [{\"name\": \"cfg\", \"key\":"
                            + " \"config.json\", \"format\": \"json\"}]}"),
                    new java.util.ArrayList<>()));
    ObjectNode secret = ManifestFiles.JSON.createObjectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    secret.putObject("metadata").put("name", "app").put("namespace", "edge");
    secret.putObject(field).put("config.json", field.equals("data") ? b64(brokenJson) : brokenJson);

    List<String> lines =
        Verdicts.lines(
            Verdicts.evaluate(PolicySet.of(List.of(policy)), Target.create(secret)).violations());
    assertThat(lines)
        .containsExactly(
            "secret-config/cfg: config.json: invalid JSON at line 1, column 9: <redacted>");

    secret
        .putObject(field)
        .put("config.json", field.equals("data") ? b64("{\"a\": 1}") : "{\"a\": 1}");
    assertThat(Verdicts.evaluate(PolicySet.of(List.of(policy)), Target.create(secret)).violations())
        .isEmpty();
  }
}
