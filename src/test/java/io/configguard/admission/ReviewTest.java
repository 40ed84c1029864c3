package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReviewTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static ObjectNode fixture(String name) throws IOException {
    try (InputStream in = ReviewTest.class.getResourceAsStream("/admission/" + name)) {
      return (ObjectNode) MAPPER.readTree(in);
    }
  }

  @Test
  void readsWhatTheApiServerSends() throws Exception {
    Review create = Review.parse(fixture("01-configmap-create-edge-routes.json"));
    assertThat(create.uid()).isEqualTo("e570139c-4f7e-4df0-900e-65c43614a172");
    assertThat(create.kind().isConfigMap()).isTrue();
    assertThat(create.namespace()).isEqualTo("edge");
    assertThat(create.name()).isEqualTo("edge-routes");
    assertThat(create.operation()).isEqualTo("CREATE");
    assertThat(create.object().path("data").has("routes.yaml")).isTrue();
    assertThat(create.oldObject()).isNull();
    assertThat(create.request().has("object")).isFalse();
    assertThat(create.request().path("userInfo").path("username").asText()).isEqualTo("admin");

    Review dryRun = Review.parse(fixture("08-configmap-create-dry-one-dryrun.json"));
    assertThat(dryRun.dryRun()).isTrue();
    Review status = Review.parse(fixture("11-guardedrollout-update-edge-routes.json"));
    assertThat(status.subResource()).isEqualTo("status");
    Review delete = Review.parse(fixture("15-configmap-delete-edge-routes.json"));
    assertThat(delete.object()).isNull();
    assertThat(delete.oldObject()).isNotNull();
    Review cluster = Review.parse(fixture("12-clusterconfigpolicy-create-edge-routes-guard.json"));
    assertThat(cluster.namespace()).isEmpty();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        bad(
            r -> r.put("apiVersion", "admission.k8s.io/v1beta1"),
            "apiVersion must be admission.k8s.io/v1"),
        bad(r -> r.put("kind", "ConfigMap"), "kind must be AdmissionReview"),
        bad(r -> r.remove("request"), "request is missing"),
        bad(r -> req(r).remove("uid"), "request.uid is missing"),
        bad(r -> req(r).put("uid", 42), "request.uid is missing"),
        bad(r -> req(r).remove("kind"), "request.kind is missing"),
        bad(r -> req(r).put("operation", "PATCH"), "request.operation must be"),
        bad(r -> req(r).putNull("object"), "request.object is missing"),
        bad(r -> req(r).put("object", "text"), "request.object must be an object"));
  }

  private static Arguments bad(Consumer<ObjectNode> breakIt, String reason) {
    return Arguments.of(breakIt, reason);
  }

  private static ObjectNode req(ObjectNode review) {
    return (ObjectNode) review.get("request");
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void rejectsWhatIsNotAnAdmissionReview(Consumer<ObjectNode> breakIt, String reason)
      throws Exception {
    ObjectNode review = fixture("01-configmap-create-edge-routes.json");
    breakIt.accept(review);
    assertThatThrownBy(() -> Review.parse(review))
        .isInstanceOf(Review.BadReviewException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void rejectsNonObjects() {
    for (JsonNode node :
        new JsonNode[] {null, MAPPER.createArrayNode(), MAPPER.getNodeFactory().textNode("x")}) {
      assertThatThrownBy(() -> Review.parse(node)).hasMessageContaining("JSON object");
    }
  }
}
