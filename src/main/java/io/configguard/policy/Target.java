package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Operation;
import java.util.Map;

/**
 * What a policy is evaluated against: one object (and its previous version on UPDATE), however it
 * arrived — an AdmissionReview, a manifest file in CI, or a rollout's pre-flight.
 *
 * @param kind the object's group/version/kind
 * @param namespace the object's namespace, empty for cluster-scoped objects
 * @param name the object's name
 * @param operation CREATE, UPDATE or DELETE
 * @param object the object as JSON; null on DELETE
 * @param oldObject the previous version on UPDATE (and DELETE); null otherwise
 * @param request the admission request as CEL's {@code request} variable (may be empty)
 * @param namespaceLabels labels of the object's namespace, for namespaceSelector; empty if unknown
 */
public record Target(
    ObjectKind kind,
    String namespace,
    String name,
    Operation operation,
    JsonNode object,
    JsonNode oldObject,
    JsonNode request,
    Map<String, String> namespaceLabels) {

  /** A CREATE of a manifest; kind, namespace and name come from the object itself. */
  public static Target create(JsonNode object) {
    return of(Operation.CREATE, object, null);
  }

  /** An UPDATE from {@code oldObject} to {@code object}. */
  public static Target update(JsonNode object, JsonNode oldObject) {
    return of(Operation.UPDATE, object, oldObject);
  }

  /** A target whose kind, namespace and name are read from the object (or the old one). */
  public static Target of(Operation operation, JsonNode object, JsonNode oldObject) {
    JsonNode source = object != null ? object : oldObject;
    JsonNode metadata = source.path("metadata");
    return new Target(
        ObjectKind.of(source),
        metadata.path("namespace").asText(""),
        metadata.path("name").asText(""),
        operation,
        object,
        oldObject,
        null,
        Map.of());
  }

  /** The same target with the labels of its namespace, for namespaceSelector. */
  public Target withNamespaceLabels(Map<String, String> labels) {
    return new Target(
        kind, namespace, name, operation, object, oldObject, request, Map.copyOf(labels));
  }
}
