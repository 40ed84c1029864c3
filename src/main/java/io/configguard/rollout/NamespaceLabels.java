package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The labels a namespaceSelector is matched against, the same for the webhook, the audit and the
 * operator: the namespace's labels plus {@code kubernetes.io/metadata.name}, which the API server
 * sets on every namespace but which objects from before 1.21 (and mock servers) may lack.
 */
public final class NamespaceLabels {
  /** The label the API server puts on every namespace, holding its name. */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private NamespaceLabels() {}

  /**
   * The labels of {@code namespace} as read; empty when it was not found ({@code read} null) and
   * for cluster-scoped objects (no namespace).
   */
  public static Map<String, String> of(String namespace, Namespace read) {
    return read == null ? Map.of() : withName(namespace, read.getMetadata().getLabels());
  }

  /** {@code labels} plus the name label if they lack it; empty without a namespace. */
  public static Map<String, String> withName(String namespace, Map<String, String> labels) {
    if (namespace == null || namespace.isEmpty()) {
      return Map.of();
    }
    Map<String, String> all = new HashMap<>();
    if (labels != null) {
      all.putAll(labels);
    }
    all.putIfAbsent(NAME_LABEL, namespace);
    return Collections.unmodifiableMap(all);
  }

  /** The labels of {@code namespace}, read from the API server. */
  public static Map<String, String> read(KubernetesClient client, String namespace) {
    if (namespace == null || namespace.isEmpty()) {
      return Map.of();
    }
    return of(namespace, client.namespaces().withName(namespace).get());
  }
}
