package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Argo CD and Flux write with server-side dry-run and server-side apply: such requests carry {@code
 * dryRun}, {@code options.fieldManager} and {@code managedFields}, and must be judged exactly like
 * a plain write of the same object.
 */
class GitOpsSyncTest {
  static AdmissionHandler handler;

  @BeforeAll
  static void loadPolicies() throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(
        PolicyFiles.read(
            List.of(AdmissionFixturesTest.POLICIES, AdmissionFixturesTest.CLOUDFLARE), "default"));
    handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
  }

  /** The fixture as a plain write: no dry run, no field manager, no managedFields. */
  static ObjectNode plain(ObjectNode review) {
    ObjectNode copy = review.deepCopy();
    ObjectNode request = (ObjectNode) copy.get("request");
    request.put("dryRun", false);
    ((ObjectNode) request.get("options")).remove(List.of("fieldManager", "dryRun"));
    for (String which : List.of("object", "oldObject")) {
      if (request.get(which) instanceof ObjectNode o) {
        ((ObjectNode) o.get("metadata")).remove("managedFields");
      }
    }
    return copy;
  }

  /** As Argo CD's or Flux's server-side dry-run apply sends it. */
  static ObjectNode syncShaped(ObjectNode review, JsonNode managedFields) {
    ObjectNode copy = review.deepCopy();
    ObjectNode request = (ObjectNode) copy.get("request");
    request.put("dryRun", true);
    ObjectNode options = request.putObject("options");
    options.put("kind", "PatchOptions").put("apiVersion", "meta.k8s.io/v1");
    options.putArray("dryRun").add("All");
    options.put("fieldManager", "argocd-controller").put("force", true);
    ((ObjectNode) request.get("object").get("metadata")).set("managedFields", managedFields);
    return copy;
  }

  static List<Object> answer(ObjectNode review) throws Exception {
    AdmissionResponse r = handler.handle(Review.parse(review));
    return List.of(
        r.getAllowed(),
        r.getStatus() == null ? "" : r.getStatus().getMessage(),
        r.getWarnings() == null ? List.of() : r.getWarnings());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "03-configmap-update-edge-routes.json",
    "04-configmap-update-edge-routes.json",
    "05-configmap-update-edge-routes.json",
    "06-configmap-update-edge-routes.json",
    "08-configmap-create-dry-one-dryrun.json",
    "21-configmap-update-bot-features-doubled.json",
  })
  void dryRunAndServerSideApplyAreJudgedLikeAPlainWrite(String file) throws Exception {
    ObjectNode fixture = ReviewTest.fixture(file);
    JsonNode managedFields =
        ReviewTest.fixture("03-configmap-update-edge-routes.json")
            .at("/request/object/metadata/managedFields");
    assertThat(managedFields.isArray()).isTrue();
    List<Object> plain = answer(plain(fixture));
    for (UnaryOperator<ObjectNode> shape :
        List.<UnaryOperator<ObjectNode>>of(r -> r, r -> syncShaped(r, managedFields))) {
      assertThat(answer(shape.apply(fixture))).isEqualTo(plain);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"false", "true"})
  void theDoubledFeatureFileIsDeniedInASyncWithPolicyAndRuleFirst(boolean dryRun) throws Exception {
    ObjectNode fixture = ReviewTest.fixture("21-configmap-update-bot-features-doubled.json");
    JsonNode managedFields =
        ReviewTest.fixture("03-configmap-update-edge-routes.json")
            .at("/request/object/metadata/managedFields");
    ObjectNode sync = syncShaped(fixture, managedFields);
    ((ObjectNode) sync.get("request")).put("dryRun", dryRun);

    AdmissionResponse response = handler.handle(Review.parse(sync));

    assertThat(response.getAllowed()).isFalse();
    String message = response.getStatus().getMessage();
    assertThat(message.lines().findFirst().orElseThrow())
        .startsWith("bot-features/features-file: features.json: duplicate \"bot_score\"");
    assertThat(message).contains("bot-features/growth: features.json: $.features grew from 60");
    // A sync tool prefixes its own words: the first line still says which policy and rule.
    String wrapped =
        "one or more objects failed to apply, reason: admission webhook denied: " + message;
    assertThat(wrapped.lines().findFirst().orElseThrow()).contains("bot-features/features-file");
  }
}
