package io.configguard.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Operation;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Target;
import java.io.IOException;
import java.util.Map;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionReview request the webhook reads, checked
 * for shape once. The objects stay the parsed JSON trees, so nothing is parsed twice.
 *
 * @param request the request without object/oldObject, as CEL's {@code request} variable
 */
public record Review(
    String uid,
    ObjectKind kind,
    String namespace,
    String name,
    String operation,
    String subResource,
    boolean dryRun,
    JsonNode object,
    JsonNode oldObject,
    JsonNode request) {

  public static final String API_VERSION = "admission.k8s.io/v1";
  public static final String KIND = "AdmissionReview";

  /** A body that is not an AdmissionReview the webhook can answer; the message says why. */
  public static final class BadReviewException extends Exception {
    public BadReviewException(String message) {
      super(message);
    }
  }

  /**
   * Reads request bodies. Field names are not interned: String.intern of 100,000 names chosen by
   * the sender cost about 60 ms a request, and every one would stay in the JVM's string table.
   */
  private static final ObjectMapper BODY =
      JsonMapper.builder(
              JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build())
          .build();

  /** The target of this request, for the policies to evaluate. */
  public Target target(Map<String, String> namespaceLabels) {
    return new Target(
        kind,
        namespace,
        name,
        Operation.valueOf(operation),
        object,
        oldObject,
        request,
        namespaceLabels);
  }

  /** Parses a request body (Jackson's errors for malformed JSON) and checks its shape. */
  public static Review read(byte[] body) throws IOException, BadReviewException {
    return parse(BODY.readTree(body));
  }

  /** Checks the shape of an AdmissionReview and takes it apart. */
  public static Review parse(JsonNode review) throws BadReviewException {
    if (review == null || !review.isObject()) {
      throw new BadReviewException("body must be a JSON object (an AdmissionReview)");
    }
    require(
        API_VERSION.equals(review.path("apiVersion").asText()),
        "apiVersion must be " + API_VERSION);
    require(KIND.equals(review.path("kind").asText()), "kind must be " + KIND);
    JsonNode request = review.path("request");
    require(request.isObject(), "request is missing");
    String uid = text(request, "uid");
    require(!uid.isEmpty(), "request.uid is missing");
    JsonNode kind = request.path("kind");
    require(kind.isObject() && !text(kind, "kind").isEmpty(), "request.kind is missing");
    String operation = text(request, "operation");
    require(
        operation.matches("CREATE|UPDATE|DELETE|CONNECT"),
        "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
    JsonNode object = objectOrNull(request, "object");
    JsonNode oldObject = objectOrNull(request, "oldObject");
    require(
        object != null || operation.equals("DELETE") || operation.equals("CONNECT"),
        "request.object is missing");
    String objectKind = object == null ? "" : text(object, "kind");
    // The API server never sends an object of another kind: a mismatch is a forged or broken body.
    require(
        objectKind.isEmpty() || objectKind.equals(text(kind, "kind")),
        "request.object.kind " + objectKind + " differs from request.kind " + text(kind, "kind"));
    String name = text(request, "name");
    if (name.isEmpty() && object != null) {
      // CREATE with generateName: the API server has not picked the name yet.
      name = object.path("metadata").path("generateName").asText("");
    }
    ObjectNode bare = ((ObjectNode) request).objectNode();
    request
        .properties()
        .forEach(
            e -> {
              if (!e.getKey().equals("object") && !e.getKey().equals("oldObject")) {
                bare.set(e.getKey(), e.getValue());
              }
            });
    return new Review(
        uid,
        new ObjectKind(text(kind, "group"), text(kind, "version"), text(kind, "kind")),
        text(request, "namespace"),
        name,
        operation,
        text(request, "subResource"),
        request.path("dryRun").asBoolean(false),
        object,
        oldObject,
        bare);
  }

  private static void require(boolean condition, String reason) throws BadReviewException {
    if (!condition) {
      throw new BadReviewException(reason);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : "";
  }

  private static JsonNode objectOrNull(JsonNode request, String field) throws BadReviewException {
    JsonNode value = request.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    require(value.isObject(), "request." + field + " must be an object");
    return value;
  }
}
