package io.configguard.policy;

/** Group, version and kind of an object, as in an AdmissionReview's {@code request.kind}. */
public record ObjectKind(String group, String version, String kind) {
  public static final ObjectKind CONFIG_MAP = new ObjectKind("", "v1", "ConfigMap");

  public boolean isConfigMap() {
    return group.isEmpty() && kind.equals("ConfigMap");
  }
}
