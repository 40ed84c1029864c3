package io.configguard.webhookconfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How the operator writes the ValidatingWebhookConfiguration (configguard.webhook.* properties).
 *
 * @param name metadata.name of the ValidatingWebhookConfiguration
 * @param timeoutSeconds how long the API server waits for an answer (1-30)
 * @param failurePolicy Fail or Ignore
 * @param ownNamespace the namespace configguard runs in, never sent to the webhook
 * @param excludeNamespaces further namespaces never sent to the webhook
 * @param serviceName the Service in front of the webhook (in-cluster mode)
 * @param serviceNamespace the namespace of that Service
 * @param servicePort the port of that Service
 * @param path the HTTP path of the admission endpoint
 * @param url when set, the API server calls this URL instead of the Service (laptop mode)
 * @param caFile the PEM CA bundle that signed the serving certificate; none means system trust
 * @param ownerClusterRole when set, the ClusterRole that owns the configuration, so deleting it
 *     (uninstalling the chart) garbage-collects the configuration
 * @param debounce how long to wait for more policy changes before writing
 * @param resync how often to rewrite from scratch, catching edits by others and CA rotation
 * @param manage false: never write the configuration (someone else registers the webhook)
 * @param inCluster whether this process runs in a pod of the cluster it talks to, so that the
 *     Service in front of it can reach it (see {@link #detectInCluster})
 */
public record WebhookSettings(
    String name,
    int timeoutSeconds,
    String failurePolicy,
    String ownNamespace,
    List<String> excludeNamespaces,
    String serviceName,
    String serviceNamespace,
    int servicePort,
    String path,
    Optional<String> url,
    Optional<Path> caFile,
    Optional<String> ownerClusterRole,
    Duration debounce,
    Duration resync,
    boolean manage,
    boolean inCluster) {

  public static final String KUBE_SYSTEM = "kube-system";

  /** Where the kubelet mounts a pod's service-account token. */
  public static final Path SERVICE_ACCOUNT_TOKEN =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  /** What to run instead, out of cluster, named in the log. */
  public static final String LOCAL_INSTALL = "deploy/local/install.sh";

  public WebhookSettings {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("configguard.webhook.name: must not be empty");
    }
    if (timeoutSeconds < 1 || timeoutSeconds > 30) {
      throw new IllegalArgumentException(
          "configguard.webhook.timeout-seconds: " + timeoutSeconds + " is not within 1..30");
    }
    if (!failurePolicy.equals("Fail") && !failurePolicy.equals("Ignore")) {
      throw new IllegalArgumentException(
          "configguard.webhook.failure-policy: \"" + failurePolicy + "\" is not Fail or Ignore");
    }
    if (servicePort < 1 || servicePort > 65535) {
      throw new IllegalArgumentException(
          "configguard.webhook.service-port: " + servicePort + " is not a port");
    }
    if (debounce.isNegative()) {
      throw new IllegalArgumentException("configguard.webhook.debounce: must not be negative");
    }
    if (resync.isZero() || resync.isNegative()) {
      throw new IllegalArgumentException("configguard.webhook.resync-interval: must be positive");
    }
    excludeNamespaces =
        excludeNamespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    url = url.filter(u -> !u.isBlank());
    ownerClusterRole = ownerClusterRole.filter(r -> !r.isBlank());
  }

  /**
   * The rule for "in cluster": the kubelet gives every pod the {@code KUBERNETES_SERVICE_HOST}
   * variable and (unless switched off) its service-account token. Both present: a pod. A laptop
   * with a kubeconfig has neither (the same rule client-go's in-cluster configuration uses).
   */
  public static boolean detectInCluster(
      java.util.function.Function<String, String> env, java.util.function.Predicate<Path> exists) {
    String host = env.apply("KUBERNETES_SERVICE_HOST");
    return host != null && !host.isBlank() && exists.test(SERVICE_ACCOUNT_TOKEN);
  }

  /**
   * Why configguard must not write the configuration, or empty when it may. A configuration the API
   * server cannot reach, with failurePolicy Fail, would refuse every write it selects, also after
   * configguard stopped: so it is written only with a CA bundle, and out of cluster only with a
   * URL.
   */
  public Optional<String> whyNotWritten() {
    if (!manage) {
      return Optional.of(
          "configguard.webhook.manage=false: the ValidatingWebhookConfiguration is left to you"
              + " (out of cluster: "
              + LOCAL_INSTALL
              + ")");
    }
    if (url.isEmpty() && !inCluster) {
      return Optional.of(
          "running outside the cluster (no KUBERNETES_SERVICE_HOST or no service-account token)"
              + " and configguard.webhook.url is unset: the API server could not reach this"
              + " process through Service "
              + serviceNamespace
              + "/"
              + serviceName
              + ". To have the API server call it, run "
              + LOCAL_INSTALL
              + " (or set configguard.webhook.url and configguard.tls.ca-file)");
    }
    if (caFile.isEmpty()) {
      return Optional.of(
          "configguard.tls.ca-file is unset: without the CA bundle the API server cannot verify"
              + " the webhook's certificate"
              + (inCluster ? "" : "; run " + LOCAL_INSTALL + " instead"));
    }
    return Optional.empty();
  }

  /** kube-system, configguard's own namespace and the configured ones, sorted and unique. */
  public SortedSet<String> excludedNamespaces() {
    SortedSet<String> out = new TreeSet<>(excludeNamespaces);
    out.add(KUBE_SYSTEM);
    if (ownNamespace != null && !ownNamespace.isBlank()) {
      out.add(ownNamespace);
    }
    return out;
  }

  /** Defaults as the chart would set them, for tests and standalone use. */
  public static WebhookSettings defaults(String namespace) {
    return new WebhookSettings(
        "configguard",
        5,
        "Fail",
        namespace,
        List.of(),
        "configguard",
        namespace,
        443,
        "/validate",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5),
        true,
        true);
  }
}
