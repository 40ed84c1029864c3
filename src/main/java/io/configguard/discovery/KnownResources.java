package io.configguard.discovery;

import io.configguard.api.ConfigPolicy;
import java.util.List;
import java.util.Locale;

/**
 * The built-in kinds policies usually name, and configguard's own, so the common case needs no
 * discovery call. Anything else is looked up by {@link DiscoveredResources}.
 */
public final class KnownResources implements ApiResources {
  static final String CONFIGGUARD = ConfigPolicy.GROUP;

  /** configguard's own kinds, always sent to the webhook on CREATE and UPDATE. */
  public static final List<ApiResource> OWN =
      List.of(
          new ApiResource(CONFIGGUARD, "v1alpha1", "ConfigPolicy", "configpolicies", true),
          new ApiResource(
              CONFIGGUARD, "v1alpha1", "ClusterConfigPolicy", "clusterconfigpolicies", false),
          new ApiResource(CONFIGGUARD, "v1alpha1", "GuardedRollout", "guardedrollouts", true),
          new ApiResource(CONFIGGUARD, "v1alpha1", "ConfigFreeze", "configfreezes", false));

  static final List<ApiResource> BUILT_IN =
      List.of(
          new ApiResource("", "v1", "ConfigMap", "configmaps", true),
          new ApiResource("", "v1", "Secret", "secrets", true),
          new ApiResource("", "v1", "Pod", "pods", true),
          new ApiResource("", "v1", "Service", "services", true),
          new ApiResource("", "v1", "ServiceAccount", "serviceaccounts", true),
          new ApiResource("", "v1", "Namespace", "namespaces", false),
          new ApiResource("apps", "v1", "Deployment", "deployments", true),
          new ApiResource("apps", "v1", "StatefulSet", "statefulsets", true),
          new ApiResource("apps", "v1", "DaemonSet", "daemonsets", true),
          new ApiResource("apps", "v1", "ReplicaSet", "replicasets", true),
          new ApiResource("batch", "v1", "Job", "jobs", true),
          new ApiResource("batch", "v1", "CronJob", "cronjobs", true),
          new ApiResource("networking.k8s.io", "v1", "Ingress", "ingresses", true),
          new ApiResource("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true));

  private static final List<ApiResource> ALL =
      java.util.stream.Stream.concat(BUILT_IN.stream(), OWN.stream()).toList();

  /** Only exact group and kind: a wildcard needs discovery to be complete. */
  @Override
  public List<ApiResource> find(String group, String version, String kind) {
    return ALL.stream()
        .filter(r -> r.group().equals(group) && r.kind().equals(kind))
        .filter(r -> version.equals(ANY) || r.version().equals(version))
        .toList();
  }

  /**
   * The plural Kubernetes tooling derives from a kind when nothing else is known, so a rule can be
   * written for a custom resource whose CRD is not installed yet.
   */
  public static String guessPlural(String kind) {
    String k = kind.toLowerCase(Locale.ROOT);
    if (k.endsWith("s")
        || k.endsWith("x")
        || k.endsWith("z")
        || k.endsWith("ch")
        || k.endsWith("sh")) {
      return k + "es";
    }
    if (k.endsWith("y") && k.length() > 1 && "aeiou".indexOf(k.charAt(k.length() - 2)) < 0) {
      return k.substring(0, k.length() - 1) + "ies";
    }
    return k + "s";
  }
}
