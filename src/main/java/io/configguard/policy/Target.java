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
    Map<String, String> namespaceLabels) {}
