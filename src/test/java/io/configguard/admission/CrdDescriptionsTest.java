package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every property of every CRD under crds/ has a description: kubectl explain shows it. */
class CrdDescriptionsTest {
  static Stream<String> crds() throws Exception {
    return CrdDriftIT.crds(CrdDriftIT.COMMITTED).keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("crds")
  void everyPropertyIsDescribed(String file) throws Exception {
    JsonNode crd = CrdDriftIT.crds(CrdDriftIT.COMMITTED).get(file);
    List<String> undescribed = new ArrayList<>();
    for (JsonNode version : crd.path("spec").path("versions")) {
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      walk(schema, version.path("name").asText(), undescribed);
    }
    assertThat(undescribed).as("properties without a description in crds/%s", file).isEmpty();
  }

  private static void walk(JsonNode schema, String path, List<String> undescribed) {
    if (!schema.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> property : iterable(schema.path("properties"))) {
      String at = path + "." + property.getKey();
      JsonNode child = property.getValue();
      // apiVersion, kind and metadata are Kubernetes' own, described by the API server.
      boolean builtIn =
          path.indexOf('.') < 0
              && List.of("apiVersion", "kind", "metadata").contains(property.getKey());
      if (!builtIn && child.path("description").asText().isBlank()) {
        undescribed.add(at);
      }
      // Items of a conditions list are Kubernetes' metav1.Condition (fabric8's Condition), whose
      // fields are the standard ones documented in the Kubernetes API reference.
      if (!property.getKey().equals("conditions")) {
        walk(child, at, undescribed);
      }
    }
    walk(schema.path("items"), path + "[]", undescribed);
    walk(schema.path("additionalProperties"), path + "{}", undescribed);
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node.properties();
  }
}
