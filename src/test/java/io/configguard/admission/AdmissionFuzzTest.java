package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.configguard.api.PolicySpec;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.FuzzPolicies;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.Target;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the webhook's untrusted inputs without HTTP: AdmissionReview bodies through decoding and
 * the handler, and policies (whole specs, CEL expressions, JSON schemas) through compilation and
 * one evaluation. Every input ends in an answer or a clear rejection, never another exception.
 * Regression mode replays
 * src/test/resources/fuzz/io/configguard/admission/AdmissionFuzzTestInputs/.
 */
class AdmissionFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final PolicyCompiler COMPILER = new PolicyCompiler(Limits.DEFAULT);
  private static final AdmissionHandler HANDLER = handler();
  private static final Target CONFIG_MAP = Target.create(configMap());

  private static AdmissionHandler handler() {
    try {
      AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
      PolicyIndex index = new PolicyIndex(COMPILER, metrics);
      index.replaceAll(
          PolicyFiles.read(
              List.of(AdmissionFixturesTest.POLICIES, AdmissionFixturesTest.CLOUDFLARE),
              "default"));
      return new AdmissionHandler(index, ns -> Map.of("team", "edge"), COMPILER, metrics);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode configMap() {
    ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", "edge-routes").put("namespace", "edge");
    cm.putObject("data")
        .put("routes.yaml", "routes:\n- {host: a.example, port: 80}\n- {host: b.example}\n")
        .put("config.json", "{\"features\": [{\"name\": \"f1\"}, {\"name\": \"f2\"}]}")
        .put("app.properties", "a=1\nb = two\n");
    return cm;
  }

  /** A request body as the HTTP layer decodes it, then the handler's answer. */
  @FuzzTest(maxDuration = "10m")
  void review(byte[] body) {
    Review review;
    try {
      review = Review.read(body);
    } catch (IOException | Review.BadReviewException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    AdmissionResponse response = HANDLER.handle(review);
    assertThat(response.getUid()).isEqualTo(review.uid());
    if (!response.getAllowed()) {
      assertThat(response.getStatus().getMessage()).isNotBlank();
    }
  }

  /**
   * The first byte picks what the rest is: a whole policy spec (YAML), one CEL expression, or one
   * JSON schema for config.json. It compiles or is rejected with reasons; a compiled policy
   * evaluates.
   */
  @FuzzTest(maxDuration = "10m")
  void policy(byte[] input) {
    if (input.length == 0) {
      return;
    }
    String text = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
    JsonNode spec;
    try {
      spec =
          switch (Byte.toUnsignedInt(input[0]) % 3) {
            case 0 -> YAML.readTree(text);
            case 1 -> FuzzPolicies.celSpec(text);
            default -> FuzzPolicies.schemaSpec(JSON.readTree(text));
          };
    } catch (JsonProcessingException e) {
      return;
    }
    List<String> errors = new ArrayList<>();
    PolicySpec parsed = PolicyFiles.spec(spec, errors);
    if (parsed == null) {
      assertThat(errors).isNotEmpty();
      return;
    }
    FuzzPolicies.compileAndEvaluate(COMPILER, parsed, CONFIG_MAP);
  }
}
