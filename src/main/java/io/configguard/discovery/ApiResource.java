package io.configguard.discovery;

/**
 * One listable resource of the API server, as discovery names it.
 *
 * @param group API group, "" for the core group
 * @param version API version, e.g. v1
 * @param kind the kind, e.g. ConfigMap
 * @param plural the resource name in URLs and webhook rules, e.g. configmaps
 * @param namespaced whether objects live in namespaces
 */
public record ApiResource(
    String group, String version, String kind, String plural, boolean namespaced) {

  /** "v1" for the core group, "group/version" otherwise. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
