package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.files.ManifestFiles;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The AdmissionReview files the README's curl line sends: they carry the example ConfigMaps, and
 * the example policies judge them as the README says.
 */
class ExampleAdmissionTest {
  static final Path EXAMPLES = Path.of("deploy/examples");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "bad-bot-features.json, configmaps/bad/bot-features-doubled.yaml, false",
    "good-bot-features.json, configmaps/good/bot-features.yaml, true",
  })
  void theExampleRequestIsJudgedAsTheReadmeSays(String request, String configMap, boolean allowed)
      throws Exception {
    JsonNode review =
        ManifestFiles.read(List.of(EXAMPLES.resolve("admission").resolve(request))).get(0).node();
    JsonNode object = ManifestFiles.read(List.of(EXAMPLES.resolve(configMap))).get(0).node();
    JsonNode old =
        ManifestFiles.read(List.of(EXAMPLES.resolve("configmaps/good/bot-features.yaml")))
            .get(0)
            .node();
    assertThat(review.path("request").path("object").path("data")).isEqualTo(object.path("data"));
    assertThat(review.path("request").path("oldObject").path("data")).isEqualTo(old.path("data"));

    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(EXAMPLES.resolve("policies")), "default"));
    assertThat(index.rejected()).isEmpty();
    AdmissionResponse response =
        new AdmissionHandler(index, ns -> Map.of(), compiler, metrics).handle(Review.parse(review));

    assertThat(response.getAllowed()).isEqualTo(allowed);
    if (!allowed) {
      assertThat(response.getStatus().getMessage().lines())
          .startsWith(
              "bot-features/features-file: features.json: duplicate \"bot_score\" at"
                  + " $.features[60].name (first at $.features[0].name)")
          .contains(
              "bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio 2.00"
                  + " > 1.5)");
    }
  }
}
