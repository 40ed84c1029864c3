package io.configguard.admission;

import static io.configguard.admission.AdmissionMetrics.Result.ALLOWED;
import static io.configguard.admission.AdmissionMetrics.Result.AUDITED;
import static io.configguard.admission.AdmissionMetrics.Result.DENIED;
import static io.configguard.admission.AdmissionMetrics.Result.WARNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real AdmissionReview requests from kube-apiserver 1.28 (and a few of our own shaped exactly like
 * them) through the handler, against the policies in admission/policies/.
 */
class AdmissionFixturesTest {
  static final Path POLICIES = Path.of("src/test/resources/admission/policies");
  static final Path CLOUDFLARE = Path.of("src/test/resources/cloudflare/policy.yaml");
  static AdmissionMetrics metrics;
  static AdmissionHandler handler;
  static LogCapture log;

  @BeforeAll
  static void loadPolicies() throws Exception {
    metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(POLICIES, CLOUDFLARE), "default"));
    assertThat(index.rejected()).isEmpty();
    handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
    log = LogCapture.attach("io.configguard");
  }

  @AfterAll
  static void detach() {
    log.detach();
  }

  @BeforeEach
  void clearLog() {
    log.lines().clear();
  }

  static Stream<Arguments> fixtures() {
    return Stream.of(
        // file, result, each denial line starts with, each warning starts with
        row("01-configmap-create-edge-routes.json", ALLOWED, List.of(), List.of()),
        row(
            "27-configfreeze-create-operator-lowercase.json", // would be admitted, then ignored
            DENIED,
            List.of(
                "the ConfigFreeze is invalid:",
                "spec.namespaceSelector.matchExpressions[0].operator: \"in\" is not one of In,"
                    + " NotIn, Exists, DoesNotExist"),
            List.of()),
        row(
            "02-configmap-update-edge-routes.json", // client-side apply: routes 12 -> 24
            DENIED,
            List.of("edge-routes-guard/growth: routes.yaml: $.routes grew from 12 to 24 items"),
            List.of(
                "edge-routes-advice/many-routes: routes.yaml: 24 items at $.routes exceeds maxItems 20")),
        row(
            "03-configmap-update-edge-routes.json", // server-side apply: 24 -> 30, within 1.5
            WARNED,
            List.of(),
            List.of("edge-routes-advice/many-routes: routes.yaml: 30 items")),
        row(
            "04-configmap-update-edge-routes.json",
            WARNED,
            List.of(),
            List.of("edge-routes-advice/many-routes")),
        row(
            "05-configmap-update-edge-routes.json",
            WARNED,
            List.of(),
            List.of("edge-routes-advice/many-routes")),
        row(
            "06-configmap-update-edge-routes.json",
            WARNED,
            List.of(),
            List.of("edge-routes-advice/many-routes")),
        row(
            "07-configmap-update-edge-routes.json", // kubectl patch adds a third key
            DENIED,
            List.of("edge-routes-guard/keys: 3 keys in data and binaryData, exceeds maxKeys 2"),
            List.of("edge-routes-advice/many-routes")),
        row(
            "08-configmap-create-dry-one-dryrun.json", // dry run: judged the same
            DENIED,
            List.of("edge/dry-guard/no-keys: 1 keys in data and binaryData, exceeds maxKeys 0"),
            List.of()),
        row(
            "09-secret-create-db-pass.json",
            DENIED,
            List.of(
                "secret-guard/password-json: $.data.password is 24 bytes, exceeds maxBytes 8",
                "secret-guard/password-json: $.data.password: invalid JSON at line 1, column "),
            List.of()),
        row(
            "10-guardedrollout-create-edge-routes.json",
            DENIED,
            List.of("rollout-bake/bake: bake at least two minutes per step"),
            List.of()),
        row("11-guardedrollout-update-edge-routes.json", ALLOWED, List.of(), List.of()), // status
        row("12-clusterconfigpolicy-create-edge-routes-guard.json", ALLOWED, List.of(), List.of()),
        row("13-pod-create-edge-router-0.json", AUDITED, List.of(), List.of()),
        row("14-pod-update-edge-router-0.json", AUDITED, List.of(), List.of()),
        row("15-configmap-delete-edge-routes.json", ALLOWED, List.of(), List.of()),
        row("16-guardedrollout-delete-edge-routes.json", ALLOWED, List.of(), List.of()),
        row("17-clusterconfigpolicy-delete-edge-routes-guard.json", ALLOWED, List.of(), List.of()),
        row(
            "20-clusterconfigpolicy-create-broken-cel.json", // a policy is untrusted input too
            DENIED,
            List.of("the policy does not compile:", "spec.rules[0].cel: "),
            List.of()),
        row(
            "21-configmap-update-bot-features-doubled.json", // the Cloudflare file, doubled
            DENIED,
            List.of(
                "bot-features/features-file: features.json: duplicate \"bot_score\" at $.features[60].name"),
            List.of()));
  }

  static Arguments row(
      String file, AdmissionMetrics.Result result, List<String> denials, List<String> warnings) {
    return Arguments.of(file, result, denials, warnings);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("fixtures")
  void answers(
      String file, AdmissionMetrics.Result result, List<String> denials, List<String> warnings)
      throws Exception {
    Review review = Review.parse(ReviewTest.fixture(file));
    double before = metrics.requests(result);

    AdmissionResponse response = handler.handle(review);

    assertThat(response.getUid()).isEqualTo(review.uid());
    assertThat(response.getAllowed()).isEqualTo(result != DENIED);
    assertThat(metrics.requests(result)).isEqualTo(before + 1);
    if (result == DENIED) {
      assertThat(response.getStatus().getCode()).isEqualTo(403);
      List<String> lines = response.getStatus().getMessage().lines().toList();
      for (int i = 0; i < denials.size(); i++) {
        assertThat(lines.get(i)).startsWith(denials.get(i));
      }
      String denial =
          log.lines().stream().filter(l -> l.startsWith("denied ")).findFirst().orElseThrow();
      assertThat(denial).contains(review.kind().kind()).contains(review.name());
    } else {
      assertThat(response.getStatus()).isNull();
      assertThat(log.lines()).noneMatch(l -> l.startsWith("denied "));
    }
    List<String> actualWarnings =
        response.getWarnings() == null ? List.of() : response.getWarnings();
    assertThat(actualWarnings).hasSameSizeAs(warnings);
    for (int i = 0; i < warnings.size(); i++) {
      assertThat(actualWarnings.get(i)).startsWith(warnings.get(i));
    }
    if (result == AUDITED) {
      assertThat(log.lines()).anyMatch(l -> l.startsWith("audit " + review.kind().kind()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void neverEchoesASecret(String file) throws Exception {
    Review review = Review.parse(ReviewTest.fixture(file));
    String response = ReviewTest.MAPPER.writeValueAsString(handler.handle(review));
    for (String secret : List.of("bm90LWEtcmVhbC1zZWNyZXQ", "not-a-real-secret", "real-secret")) {
      assertThat(response).doesNotContain(secret);
      assertThat(log.lines()).allSatisfy(line -> assertThat(line).doesNotContain(secret));
    }
  }
}
