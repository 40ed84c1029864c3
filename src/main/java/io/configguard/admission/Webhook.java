package io.configguard.admission;

import io.configguard.ConfigguardConfig;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.Selector;
import io.configguard.files.ManifestFiles;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.configguard.rollout.NamespaceLabels;
import io.configguard.rollout.PolicySource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
  private final AdmissionMemoryGate gate;
  private volatile ClusterPolicySource cluster;
  private volatile Operator operator;
  private volatile boolean warm;

  /** Without break-glass users for the delivery tracks (tests). */
  public Webhook(MeterRegistry registry, Optional<String> operatorServiceAccount) {
    this(registry, operatorServiceAccount, defaultGate());
  }

  /** With the given gate and no break-glass users for the delivery tracks (tests). */
  public Webhook(
      MeterRegistry registry, Optional<String> operatorServiceAccount, AdmissionMemoryGate gate) {
    this(registry, operatorServiceAccount, Optional.empty(), Optional.empty(), gate);
  }

  @Inject
  public Webhook(MeterRegistry registry, ConfigguardConfig config) {
    this(
        registry,
        config.operator().serviceAccount(),
        config.tracks().breakGlass().users(),
        config.tracks().breakGlass().groups(),
        defaultGate());
  }

  private static AdmissionMemoryGate defaultGate() {
    return new AdmissionMemoryGate(AdmissionMemoryGate.defaultBudget(), Duration.ofMillis(2500));
  }

  private Webhook(
      MeterRegistry registry,
      Optional<String> operatorServiceAccount,
      Optional<List<String>> trackBreakGlassUsers,
      Optional<List<String>> trackBreakGlassGroups,
      AdmissionMemoryGate gate) {
    this.gate = gate;
    metrics = new AdmissionMetrics(registry);
    metrics.gate(gate);
    index = new PolicyIndex(compiler, metrics);
    handler = new AdmissionHandler(index, this::namespaceLabels, compiler, metrics);
    operatorServiceAccount.ifPresent(handler::operatorServiceAccount);
    handler.trackBreakGlass(
        trackBreakGlassUsers.orElse(List.of()), trackBreakGlassGroups.orElse(List.of()));
  }

  public AdmissionHandler handler() {
    return handler;
  }

  /** Bounds the heap of requests in flight (admission.AdmissionGateRoute applies it). */
  public AdmissionMemoryGate gate() {
    return gate;
  }

  public PolicyIndex index() {
    return index;
  }

  /** The process's one set of compiled policies and freezes: the policy lifecycle uses it too. */
  @Produces
  @Singleton
  CompiledPolicies compiledPolicies() {
    return index.compiled();
  }

  /** The operator's pre-flight evaluates a candidate against the policies this index holds. */
  @Produces
  @Singleton
  PolicySource policySource() {
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
    // The files are read once, for the policies and the freezes among them.
    List<ManifestFiles.Document> documents = ManifestFiles.read(paths);
    List<PolicyFiles.Definition> definitions = PolicyFiles.definitions(documents, defaultNamespace);
    List<String> errors = new java.util.ArrayList<>();
    Map<String, ConfigFreezeSpec> freezes = PolicyFiles.freezes(documents, errors);
    long read = System.nanoTime();
    index.replaceAll(definitions);
    freezes.forEach(index::putFreeze);
    errors.forEach(e -> LOG.errorf("freeze not enforced: %s", e));
    index.markLoaded();
    warmUp();
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
    handler.podCounter(
        (namespace, selector, atMost) -> countPods(client, namespace, selector, atMost));
    // Not on the thread that completes the informers' start (a Vert.x event loop): the rehearsal
    // may read a namespace from the API server, which would wait on that very event loop.
    return source.start().thenRunAsync(this::warmUp);
  }

  /**
   * Rehearses the admission path ({@link AdmissionWarmup}); readiness waits for it. A rehearsal
   * that fails is logged and does not hold readiness back: it is an optimisation, and a webhook
   * that never becomes ready would block every guarded write.
   */
  public void warmUp() {
    long start = System.nanoTime();
    try {
      AdmissionWarmup.run(handler, compiler);
      LOG.infof("admission path warmed up in %d ms", (System.nanoTime() - start) / 1_000_000);
    } catch (Exception | LinkageError e) {
      LOG.errorf(e, "the admission warm-up failed; serving without it");
    } finally {
      warm = true;
    }
  }

  /** Whether the admission path has been rehearsed since the policies were loaded. */
  public boolean isWarm() {
    return warm;
  }

  /** Starts the operator's reconcilers, if this build has any (cluster mode only). */
  public void startOperator(Operator operator) {
    if (operator.getRegisteredControllersNumber() > 0) {
      operator.start();
      this.operator = operator;
    }
  }

  /** The pods the selector matches, counted by one LIST of at most {@code atMost} items. */
  static int countPods(KubernetesClient client, String namespace, Selector selector, int atMost) {
    LabelSelectorBuilder labels = new LabelSelectorBuilder().withMatchLabels(selector.matchLabels);
    if (selector.matchExpressions != null) {
      selector.matchExpressions.forEach(
          r ->
              labels
                  .addNewMatchExpression()
                  .withKey(r.key)
                  .withOperator(r.operator)
                  .withValues(r.values)
                  .endMatchExpression());
    }
    return client
        .pods()
        .inNamespace(namespace)
        .withLabelSelector(labels.build())
        .list(new ListOptionsBuilder().withLimit((long) atMost).build())
        .getItems()
        .size();
  }

  private Map<String, String> namespaceLabels(String namespace) {
    ClusterPolicySource source = cluster;
    if (source == null) {
      // Standalone: the one label the API server puts on every namespace (since 1.21).
      return NamespaceLabels.withName(namespace, Map.of());
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
