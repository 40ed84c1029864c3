package io.configguard.admission;

import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The webhook's state: the policy index, the handler that answers from it, and where the policies
 * come from — a folder (standalone) or the cluster's informers.
 */
@ApplicationScoped
public class Webhook {
  private static final Logger LOG = Logger.getLogger(Webhook.class);

  private final PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
  private final AdmissionMetrics metrics;
  private final PolicyIndex index;
  private final AdmissionHandler handler;
  private volatile ClusterPolicySource cluster;
  private volatile Operator operator;

  public Webhook(
      MeterRegistry registry,
      @ConfigProperty(name = "configguard.operator.service-account")
          Optional<String> operatorServiceAccount) {
    metrics = new AdmissionMetrics(registry);
    index = new PolicyIndex(compiler, metrics);
    handler = new AdmissionHandler(index, this::namespaceLabels, compiler, metrics);
    operatorServiceAccount.ifPresent(handler::operatorServiceAccount);
  }

  public AdmissionHandler handler() {
    return handler;
  }

  public PolicyIndex index() {
    return index;
  }

  public AdmissionMetrics metrics() {
    return metrics;
  }

  /** The operator this process runs besides the webhook, if any (cluster mode). */
  public Operator operator() {
    return operator;
  }

  /** Standalone: enforces the policies read from files; ready once read. */
  public void loadPolicies(List<Path> paths, String defaultNamespace)
      throws ManifestFiles.UnreadableException {
    long start = System.nanoTime();
    List<PolicyFiles.Definition> definitions = PolicyFiles.read(paths, defaultNamespace);
    long read = System.nanoTime();
    index.replaceAll(definitions);
    List<String> errors = new java.util.ArrayList<>();
    PolicyFiles.freezes(paths, errors).forEach(index::putFreeze);
    errors.forEach(e -> LOG.errorf("freeze not enforced: %s", e));
    index.markLoaded();
    LOG.infof(
        "policies loaded from %s: %d enforced, %d rejected (read in %d ms, compiled in %d ms)",
        paths,
        index.current().size(),
        index.rejected().size(),
        (read - start) / 1_000_000,
        (System.nanoTime() - read) / 1_000_000);
  }

  /** Cluster: enforces the ConfigPolicies and ClusterConfigPolicies the informers see. */
  public CompletableFuture<Void> watchCluster(KubernetesClient client) {
    ClusterPolicySource source = new ClusterPolicySource(client, index);
    cluster = source;
    handler.rollouts(source::rollouts);
    return source.start();
  }

  /** Starts the operator's reconcilers, if this build has any (cluster mode only). */
  public void startOperator(Operator operator) {
    if (operator.getRegisteredControllersNumber() > 0) {
      operator.start();
      this.operator = operator;
    }
  }

  private Map<String, String> namespaceLabels(String namespace) {
    ClusterPolicySource source = cluster;
    if (source == null) {
      // Standalone: the one label the API server puts on every namespace (since 1.21).
      return namespace == null || namespace.isEmpty()
          ? Map.of()
          : Map.of("kubernetes.io/metadata.name", namespace);
    }
    return source.apply(namespace);
  }

  @PreDestroy
  void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
