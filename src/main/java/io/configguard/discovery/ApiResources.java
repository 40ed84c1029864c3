package io.configguard.discovery;

import java.util.List;

/** Finds the resources (plural names, scope) behind the kinds a policy names. */
public interface ApiResources {
  String ANY = "*";

  /**
   * The served resources of {@code kind} in {@code group}, preferred version first within each
   * group; empty when the API server does not know the kind (yet).
   *
   * @param group an API group, "" for core, "*" for any group
   * @param version a version, or "*" for every served version
   * @param kind a kind, or "*" for every kind of the group
   */
  List<ApiResource> find(String group, String version, String kind);
}
