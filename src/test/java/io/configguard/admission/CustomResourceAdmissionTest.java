package io.configguard.admission;

import static io.configguard.admission.AdmissionMetrics.Result.ALLOWED;
import static io.configguard.admission.AdmissionMetrics.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Policies on a custom resource (EdgeRoute, the CRD in lifecycle/routes.example.com.yaml) at
 * admission: every check addresses the object through a path, and sizes measure its JSON.
 */
class CustomResourceAdmissionTest {
  static final Path POLICIES = Path.of("src/test/resources/admission/custom");
  static AdmissionHandler handler;

  @BeforeAll
  static void load() throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(POLICIES), "default"));
    assertThat(index.rejected()).isEmpty();
    assertThat(index.current().size()).isEqualTo(2);
    handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
  }

  static Stream<Arguments> requests() {
    Consumer<ObjectNode> none = o -> {};
    return Stream.of(
        // fixture, edit of request.object, result, what the denial (or first warning) says
        Arguments.of("24-edgeroute-create-public.json", none, ALLOWED, ""),
        Arguments.of(
            "25-edgeroute-update-public-duplicate-host.json",
            none,
            DENIED,
            "edge-route-guard/routes: duplicate \"r0.edge.example.com\" at $.spec.routes[12].host"),
        Arguments.of(
            "26-edgeroute-update-public-over-long.json",
            none,
            DENIED,
            "edge-route-guard/routes: 501 items at $.spec.routes exceeds maxItems 500"),
        Arguments.of(
            "24-edgeroute-create-public.json",
            (Consumer<ObjectNode>) o -> routes(o).addObject().put("host", "no-backend"),
            DENIED,
            "edge-route-guard/shape:"),
        Arguments.of(
            "24-edgeroute-create-public.json",
            (Consumer<ObjectNode>)
                o -> ((ObjectNode) routes(o).get(0)).put("backend", "svc-without-port"),
            DENIED,
            "edge-route-guard/backends: every backend is host:port"),
        Arguments.of(
            "25-edgeroute-update-public-duplicate-host.json",
            (Consumer<ObjectNode>)
                o -> {
                  ArrayNode r = routes(o);
                  r.remove(r.size() - 1);
                  ((ObjectNode) o.path("metadata").path("labels")).put("app", "other");
                },
            DENIED,
            "edge-route-guard/app-label: $.metadata.labels.app"),
        Arguments.of(
            "25-edgeroute-update-public-duplicate-host.json",
            (Consumer<ObjectNode>)
                o -> {
                  ArrayNode r = routes(o);
                  r.remove(r.size() - 1);
                  for (int i = 0; i < 20; i++) {
                    r.addObject().put("host", "n" + i + ".example.com").put("backend", "b:80");
                  }
                },
            DENIED,
            "edge-route-guard/growth: $.spec.routes grew from 12 to 32 items"));
  }

  static ArrayNode routes(ObjectNode object) {
    return (ArrayNode) object.path("spec").path("routes");
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("requests")
  void judgesTheObjectThroughPaths(
      String file, Consumer<ObjectNode> edit, AdmissionMetrics.Result result, String says)
      throws Exception {
    ObjectNode review = ReviewTest.fixture(file);
    edit.accept((ObjectNode) review.path("request").path("object"));

    AdmissionResponse response = handler.handle(Review.parse(review));

    assertThat(response.getAllowed()).isEqualTo(result != DENIED);
    if (result == DENIED) {
      assertThat(response.getStatus().getMessage()).startsWith(says);
    }
    if (result == ALLOWED) {
      assertThat(response.getWarnings()).isNullOrEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void maxTotalBytesMeasuresTheObjectsJson() throws Exception {
    ObjectNode review = ReviewTest.fixture("26-edgeroute-update-public-over-long.json");
    // Within the list limit, still over 16 KiB of JSON: the Warn policy speaks, nothing denies.
    ArrayNode r = routes((ObjectNode) review.path("request").path("object"));
    while (r.size() > 300) {
      r.remove(r.size() - 1);
    }
    long bytes = ReviewTest.MAPPER.writeValueAsBytes(review.path("request").path("object")).length;
    assertThat(bytes).isGreaterThan(16384);

    AdmissionResponse response = handler.handle(Review.parse(review));

    assertThat(response.getAllowed()).isTrue();
    assertThat(response.getWarnings())
        .singleElement()
        .asString()
        .startsWith("edge-route-size/size:");
  }
}
