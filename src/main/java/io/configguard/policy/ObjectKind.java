package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;

/** Group, version and kind of an object, as in an AdmissionReview's {@code request.kind}. */
public record ObjectKind(String group, String version, String kind) {
  public static final ObjectKind CONFIG_MAP = new ObjectKind("", "v1", "ConfigMap");

  public boolean isConfigMap() {
    return group.isEmpty() && kind.equals("ConfigMap");
  }

  /** From a manifest's apiVersion ("v1", "apps/v1") and kind. */
  public static ObjectKind of(String apiVersion, String kind) {
    String av = apiVersion == null ? "" : apiVersion;
    int slash = av.indexOf('/');
    return slash < 0
        ? new ObjectKind("", av, kind == null ? "" : kind)
        : new ObjectKind(av.substring(0, slash), av.substring(slash + 1), kind == null ? "" : kind);
  }

  /** From an object's apiVersion and kind fields. */
  public static ObjectKind of(JsonNode object) {
    return of(object.path("apiVersion").asText(""), object.path("kind").asText(""));
  }
}
