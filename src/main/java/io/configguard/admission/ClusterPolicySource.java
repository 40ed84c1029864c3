package io.configguard.admission;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.configguard.api.PolicySpec;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.PolicyRef;
import io.configguard.rollout.CachedForms;
import io.configguard.rollout.NamespaceLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Keeps a {@link PolicyIndex} in step with the cluster: informers on ConfigPolicy and
 * ClusterConfigPolicy recompile a policy on every add and update and drop it on delete; an informer
 * on Namespaces answers namespace labels for {@code namespaceSelector}. The index is marked loaded
 * once all have listed what exists and what they listed is compiled (in parallel). A policy is
 * compiled once per generation: a status write recompiles nothing. This is the process's one
 * watcher of ConfigFreezes for admission and the webhook configuration.
 */
public final class ClusterPolicySource
    implements Function<String, Map<String, String>>, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClusterPolicySource.class);

  private final KubernetesClient client;
  private final PolicyIndex index;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<GuardedRollout> rollouts;
  private List<SharedIndexInformer<?>> informers = List.of();

  public ClusterPolicySource(KubernetesClient client, PolicyIndex index) {
    this.client = client;
    this.index = index;
  }

  /** Starts the informers; returns once they are started, not necessarily synced. */
  public CompletableFuture<Void> start() {
    // What is cached is bounded by what is guarded: namespaces as name and labels, configguard's
    // own kinds without managedFields; no ConfigMap (or other guarded object) is cached at all.
    namespaces =
        client
            .namespaces()
            .runnableInformer(0)
            .itemStore(CachedForms.store(CachedForms::namespace));
    SharedIndexInformer<ConfigPolicy> namespaced =
        client
            .resources(ConfigPolicy.class)
            .inAnyNamespace()
            .runnableInformer(0)
            .itemStore(CachedForms.store(CachedForms::lean));
    SharedIndexInformer<ClusterConfigPolicy> cluster =
        client
            .resources(ClusterConfigPolicy.class)
            .runnableInformer(0)
            .itemStore(CachedForms.store(CachedForms::lean));
    namespaced.addEventHandler(new ToIndex<>());
    cluster.addEventHandler(new ToIndex<>());
    List<SharedIndexInformer<? extends CustomResource<PolicySpec, ?>>> policies =
        List.of(namespaced, cluster);
    SharedIndexInformer<ConfigFreeze> freezes =
        client
            .resources(ConfigFreeze.class)
            .runnableInformer(0)
            .itemStore(CachedForms.store(CachedForms::lean));
    freezes.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigFreeze freeze) {
            index.putFreeze(freeze.getMetadata().getName(), freeze.getSpec());
          }

          @Override
          public void onUpdate(ConfigFreeze old, ConfigFreeze freeze) {
            onAdd(freeze);
          }

          @Override
          public void onDelete(ConfigFreeze freeze, boolean finalStateUnknown) {
            index.removeFreeze(freeze.getMetadata().getName());
          }
        });
    rollouts =
        client
            .resources(GuardedRollout.class)
            .inAnyNamespace()
            .runnableInformer(0)
            .itemStore(CachedForms.store(CachedForms::lean));
    informers = List.of(namespaces, namespaced, cluster, freezes, rollouts);
    CompletableFuture<?>[] synced =
        informers.stream()
            .map(
                informer ->
                    informer
                        .exceptionHandler(
                            (started, t) -> {
                              LOG.warnf("policy informer failed, retrying: %s", t.toString());
                              return true;
                            })
                        .start()
                        .toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(synced)
        .thenRun(
            () -> {
              // Everything listed, compiled in parallel before the index is ready; the events of
              // the same objects then find them compiled.
              List<CompiledPolicies.Request> requests = new ArrayList<>();
              Map<PolicyRef, String> sources = new HashMap<>();
              for (var informer : policies) {
                for (CustomResource<PolicySpec, ?> policy : informer.getStore().list()) {
                  requests.add(request(policy));
                  sources.put(PolicyFiles.refOf(policy), source(policy));
                }
              }
              index.putListed(requests, sources, ref -> listed(policies, ref));
              index.markLoaded();
              LOG.infof(
                  "policies loaded from the cluster: %d enforced, %d rejected",
                  index.current().size(), index.rejected().size());
            });
  }

  /**
   * Labels of a namespace as last seen ({@link NamespaceLabels}); empty for cluster-scoped objects.
   * A namespace the informer has not seen yet (created a moment ago) is read from the API server:
   * deciding on its name label alone would skip namespaceSelector policies and freezes for it.
   */
  @Override
  public Map<String, String> apply(String namespace) {
    if (namespace == null || namespace.isEmpty()) {
      return Map.of();
    }
    Namespace ns = namespaces == null ? null : namespaces.getStore().getByKey(namespace);
    if (ns == null && !io.vertx.core.Context.isOnEventLoopThread()) {
      // Never a blocking read on an event loop: the client's answer would need that thread.
      try {
        ns = client.namespaces().withName(namespace).get();
      } catch (KubernetesClientException e) {
        LOG.warnf("namespace %s: not in the cache and not readable: %s", namespace, e.getMessage());
      }
    }
    return NamespaceLabels.of(namespace, ns);
  }

  /** The GuardedRollouts of a namespace as last seen, for the webhook's overlap check. */
  public List<GuardedRollout> rollouts(String namespace) {
    if (rollouts == null) {
      return List.of();
    }
    return rollouts.getStore().list().stream()
        .filter(r -> namespace.equals(r.getMetadata().getNamespace()))
        .toList();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }

  /** Mirrors one policy kind into the index. */
  private final class ToIndex<T extends CustomResource<PolicySpec, ?>>
      implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T policy) {
      put(policy);
    }

    @Override
    public void onUpdate(T old, T policy) {
      put(policy);
    }

    @Override
    public void onDelete(T policy, boolean finalStateUnknown) {
      index.remove(PolicyFiles.refOf(policy));
    }

    private void put(T policy) {
      CompiledPolicies.Request request = request(policy);
      index.put(request.ref(), request.version(), source(policy), request.spec());
    }
  }

  private static CompiledPolicies.Request request(CustomResource<PolicySpec, ?> policy) {
    var meta = policy.getMetadata();
    return new CompiledPolicies.Request(
        PolicyFiles.refOf(policy),
        CompiledPolicies.version(meta.getUid(), meta.getGeneration(), meta.getResourceVersion()),
        policy.getSpec() == null ? new PolicySpec() : policy.getSpec());
  }

  private static String source(HasMetadata p) {
    return p.getKind()
        + " "
        + p.getMetadata().getName()
        + " generation "
        + p.getMetadata().getGeneration();
  }

  /** Whether an informer's store still holds the policy (it is updated before events are sent). */
  private static boolean listed(
      List<SharedIndexInformer<? extends CustomResource<PolicySpec, ?>>> informers, PolicyRef ref) {
    return informers.get(ref.namespace() == null ? 1 : 0).getStore().getByKey(ref.id()) != null;
  }
}
