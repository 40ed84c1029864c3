package io.configguard.discovery;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves kinds through the API server's discovery (custom resources), after the {@link
 * KnownResources} table. Answers are cached for a while: policies change rarely, CRDs even less.
 */
public final class DiscoveredResources implements ApiResources {
  private final KubernetesClient client;
  private final long ttlNanos;
  private final KnownResources known = new KnownResources();
  private final Map<String, Cached<List<ApiResource>>> byGroupVersion = new HashMap<>();
  private Cached<List<APIGroup>> groups;

  private record Cached<T>(T value, long at) {}

  public DiscoveredResources(KubernetesClient client, Duration ttl) {
    this.client = client;
    this.ttlNanos = ttl.toNanos();
  }

  @Override
  public synchronized List<ApiResource> find(String group, String version, String kind) {
    if (!group.equals(ANY) && !kind.equals(ANY)) {
      List<ApiResource> builtIn = known.find(group, version, kind);
      if (!builtIn.isEmpty()) {
        return builtIn;
      }
    }
    List<ApiResource> out = new ArrayList<>();
    for (String groupVersion : groupVersions(group, version)) {
      for (ApiResource r : resources(groupVersion)) {
        if ((kind.equals(ANY) || r.kind().equals(kind)) && !out.contains(r)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The group/versions to ask, preferred version first within each group. */
  private List<String> groupVersions(String group, String version) {
    List<String> out = new ArrayList<>();
    if (group.isEmpty() || group.equals(ANY)) {
      if (version.equals(ANY) || version.equals("v1")) {
        out.add("v1");
      }
    }
    if (group.isEmpty()) {
      return out;
    }
    if (!group.equals(ANY) && !version.equals(ANY)) {
      // Asked directly: works even where the group list is incomplete.
      out.add(group + "/" + version);
      return out;
    }
    for (APIGroup g : groups()) {
      if (!group.equals(ANY) && !group.equals(g.getName())) {
        continue;
      }
      List<String> versions = new ArrayList<>();
      if (g.getPreferredVersion() != null) {
        versions.add(g.getPreferredVersion().getGroupVersion());
      }
      for (GroupVersionForDiscovery v : g.getVersions()) {
        if (!versions.contains(v.getGroupVersion())) {
          versions.add(v.getGroupVersion());
        }
      }
      for (String gv : versions) {
        if (version.equals(ANY) || gv.endsWith("/" + version)) {
          out.add(gv);
        }
      }
    }
    return out;
  }

  private List<APIGroup> groups() {
    if (fresh(groups)) {
      return groups.value();
    }
    var list = client.getApiGroups();
    List<APIGroup> value = list == null || list.getGroups() == null ? List.of() : list.getGroups();
    groups = new Cached<>(value, System.nanoTime());
    return value;
  }

  private List<ApiResource> resources(String groupVersion) {
    Cached<List<ApiResource>> cached = byGroupVersion.get(groupVersion);
    if (fresh(cached)) {
      return cached.value();
    }
    List<ApiResource> value = new ArrayList<>();
    APIResourceList list;
    try {
      list = client.getApiResources(groupVersion);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      list = null;
    }
    int slash = groupVersion.indexOf('/');
    String group = slash < 0 ? "" : groupVersion.substring(0, slash);
    String version = groupVersion.substring(slash + 1);
    if (list != null && list.getResources() != null) {
      for (var r : list.getResources()) {
        // Subresources (pods/status) are never listed or sent to the webhook.
        if (r.getName() == null || r.getKind() == null || r.getName().contains("/")) {
          continue;
        }
        if (!r.getVerbs().isEmpty() && !r.getVerbs().contains("list")) {
          continue;
        }
        value.add(
            new ApiResource(
                group, version, r.getKind(), r.getName(), Boolean.TRUE.equals(r.getNamespaced())));
      }
    }
    byGroupVersion.put(groupVersion, new Cached<>(List.copyOf(value), System.nanoTime()));
    return value;
  }

  private boolean fresh(Cached<?> cached) {
    return cached != null && System.nanoTime() - cached.at() < ttlNanos;
  }
}
