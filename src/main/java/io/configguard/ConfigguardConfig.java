package io.configguard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every configguard.* setting, with its default: a system property ({@code -Dconfigguard.x=y}) or
 * its environment variable form ({@code CONFIGGUARD_X}). The README's configuration reference lists
 * each key ({@code ConfigReferenceTest}); ranges are checked at start, naming the key.
 */
@ConfigMapping(prefix = "configguard")
public interface ConfigguardConfig {
  /** configguard's own namespace, never sent to the webhook; in a pod, POD_NAMESPACE. */
  @WithDefault("${POD_NAMESPACE:configguard}")
  String namespace();

  Webhook webhook();

  Tls tls();

  Operator operator();

  Tracks tracks();

  Audit audit();

  /** How the operator keeps the ValidatingWebhookConfiguration (see WebhookSettings). */
  interface Webhook {
    /** metadata.name of the ValidatingWebhookConfiguration. */
    @WithDefault("configguard")
    String name();

    /** How long the API server waits for an answer (1-30). */
    @WithDefault("5")
    int timeoutSeconds();

    /** Fail or Ignore. */
    @WithDefault("Fail")
    String failurePolicy();

    /** Namespaces never sent to the webhook, besides kube-system and configguard's own. */
    Optional<List<String>> excludeNamespaces();

    /** The Service in front of the webhook (in cluster). */
    @WithDefault("configguard")
    String serviceName();

    /** The namespace of that Service; configguard's own if unset. */
    Optional<String> serviceNamespace();

    @WithDefault("443")
    int servicePort();

    /** The HTTP path of the admission endpoint. */
    @WithDefault("/validate")
    String path();

    /** When set, the API server calls this URL instead of the Service (laptop mode). */
    Optional<String> url();

    /** The ClusterRole that owns the configuration, so uninstalling garbage-collects it. */
    Optional<String> ownerClusterRole();

    /** How long to wait for more policy changes before writing. */
    @WithDefault("2s")
    Duration debounce();

    /** How often to rewrite from scratch (edits by others, CA rotation). */
    @WithName("resync-interval")
    @WithDefault("5m")
    Duration resync();

    /** false: configguard never writes the ValidatingWebhookConfiguration. */
    @WithDefault("true")
    boolean manage();

    /** Overrides the in-cluster detection (see WebhookSettings.detectInCluster). */
    Optional<Boolean> inCluster();
  }

  /** The serving certificate (read by ServeTls before Quarkus starts) and its CA. */
  interface Tls {
    /** PEM certificate (chain) served; /etc/configguard/tls/tls.crt if unset. */
    Optional<String> certFile();

    /** Its PEM private key; /etc/configguard/tls/tls.key if unset. */
    Optional<String> keyFile();

    /** The PEM CA bundle that signed the serving certificate, for the webhook configuration. */
    Optional<String> caFile();
  }

  /** The GuardedRollout and policy operator. */
  interface Operator {
    /** Cluster mode: also run the operator. */
    @WithDefault("true")
    boolean enabled();

    /** The operator's user, whose writes of derived ConfigMaps skip their source's policies. */
    Optional<String> serviceAccount();

    @WithDefault("configguard-operator")
    String leaseName();

    /** The Lease's namespace; the client's, else configguard, if unset. */
    Optional<String> leaseNamespace();

    PodMoves podMoves();

    /** How a step's or a rollback's pods are patched. */
    interface PodMoves {
      /** Pod patches in flight at once, 1..256. */
      @WithDefault("16")
      int parallelism();
    }
  }

  /** The -stable/-candidate delivery tracks. */
  interface Tracks {
    BreakGlass breakGlass();

    /** Who may still write a track (admitted with a warning, logged). */
    interface BreakGlass {
      Optional<List<String>> users();

      Optional<List<String>> groups();
    }
  }

  /** The background audit of existing objects. */
  interface Audit {
    @WithDefault("10m")
    Duration interval();

    @WithDefault("500")
    int pageSize();
  }
}
