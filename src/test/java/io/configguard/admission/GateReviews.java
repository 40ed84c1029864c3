package io.configguard.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** AdmissionReviews for the gates' unit tests, written as the API server sends them. */
final class GateReviews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GateReviews() {}

  /** A write of a ConfigMap in {@code edge} by {@code user} (in {@code group}). */
  static Review configMap(String operation, String name, String user, String group, String data)
      throws Exception {
    String object =
        """
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "%s", "namespace": "edge"}, "data": %s}
        """
            .formatted(name, data);
    ObjectNode review =
        (ObjectNode)
            JSON.readTree(
                """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                  "namespace": "edge", "name": "%s", "operation": "%s",
                  "userInfo": {"username": "%s", "groups": ["%s"]},
                  "object": %s, "oldObject": %s}}
                """
                    .formatted(
                        name,
                        operation,
                        user,
                        group,
                        operation.equals("DELETE") ? "null" : object,
                        operation.equals("CREATE") ? "null" : object));
    return Review.parse(review);
  }

  /** A fixture from src/test/resources/admission/. */
  static Review fixture(String name) throws Exception {
    return Review.parse(ReviewTest.fixture(name));
  }
}
