package io.configguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.admission.AdmissionHandler;
import io.configguard.admission.AdmissionMetrics;
import io.configguard.admission.PolicyIndex;
import io.configguard.admission.Review;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI and the webhook say the same thing: each AdmissionReview fixture goes through the
 * handler, and its object (and oldObject, via --old) through {@code configguard check}; the Deny
 * and Warn lines must be identical.
 */
class CliWebhookParityTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Path POLICIES = Path.of("src/test/resources/admission/policies");
  static final Path CLOUDFLARE = Path.of("src/test/resources/cloudflare/policy.yaml");
  static AdmissionHandler handler;

  @BeforeAll
  static void webhook() throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(POLICIES, CLOUDFLARE), "default"));
    handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "01-configmap-create-edge-routes.json",
        "02-configmap-update-edge-routes.json",
        "03-configmap-update-edge-routes.json",
        "06-configmap-update-edge-routes.json",
        "07-configmap-update-edge-routes.json",
        "08-configmap-create-dry-one-dryrun.json",
        "09-secret-create-db-pass.json",
        "10-guardedrollout-create-edge-routes.json",
        "12-clusterconfigpolicy-create-edge-routes-guard.json",
        "14-pod-update-edge-router-0.json",
        "21-configmap-update-bot-features-doubled.json",
      })
  void sameLines(String fixture, @TempDir Path dir) throws Exception {
    JsonNode review;
    try (InputStream in = getClass().getResourceAsStream("/admission/" + fixture)) {
      review = MAPPER.readTree(in);
    }
    AdmissionResponse response = handler.handle(Review.parse(review));
    List<String> webhookDenials =
        response.getAllowed() ? List.of() : response.getStatus().getMessage().lines().toList();
    List<String> webhookWarnings =
        response.getWarnings() == null ? List.of() : response.getWarnings();

    Path manifest = dir.resolve("new/object.json");
    Files.createDirectories(manifest.getParent());
    MAPPER.writeValue(manifest.toFile(), review.path("request").path("object"));
    List<String> args =
        new ArrayList<>(List.of("--policies", POLICIES + "," + CLOUDFLARE, "--output=json"));
    JsonNode old = review.path("request").path("oldObject");
    if (old.isObject()) {
      Path oldFile = dir.resolve("old/object.json");
      Files.createDirectories(oldFile.getParent());
      MAPPER.writeValue(oldFile.toFile(), old);
      args.addAll(List.of("--old", oldFile.getParent().toString()));
    }
    args.add(manifest.getParent().toString());
    Cli cli = Cli.check(args.toArray(String[]::new));

    assertThat(cli.exit()).as(cli.err()).isEqualTo(response.getAllowed() ? 0 : 1);
    JsonNode violations = MAPPER.readTree(cli.out()).path("objects").get(0).path("violations");
    assertThat(lines(violations, "Deny")).isEqualTo(webhookDenials);
    assertThat(lines(violations, "Warn")).isEqualTo(webhookWarnings);
  }

  static List<String> lines(JsonNode violations, String enforcement) {
    List<String> lines = new ArrayList<>();
    violations.forEach(
        v -> {
          if (v.path("enforcement").asText().equals(enforcement)) {
            lines.add(v.path("line").asText());
          }
        });
    return lines;
  }
}
