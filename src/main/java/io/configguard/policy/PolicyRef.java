package io.configguard.policy;

/**
 * Which policy object a compiled policy came from.
 *
 * @param kind ConfigPolicy or ClusterConfigPolicy
 * @param namespace the namespace of a ConfigPolicy; null for a ClusterConfigPolicy
 * @param name metadata.name
 */
public record PolicyRef(String kind, String namespace, String name) {
  public static PolicyRef cluster(String name) {
    return new PolicyRef("ClusterConfigPolicy", null, name);
  }

  public static PolicyRef namespaced(String namespace, String name) {
    return new PolicyRef("ConfigPolicy", namespace, name);
  }

  /** The name shown in violations: {@code name} for cluster policies, {@code ns/name} otherwise. */
  public String id() {
    return namespace == null ? name : namespace + "/" + name;
  }
}
