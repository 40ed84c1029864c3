package io.configguard.rollout;

import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The pods the operator watches: those of the namespaces that hold a GuardedRollout, one informer
 * per namespace. A rollout's selector can only pick pods of its own namespace, so the pod cache
 * grows with the pods of guarded namespaces, not with every pod of the cluster (issue 12 item 2). A
 * namespace's informer is registered with the operator SDK on the first pass of a rollout there
 * that reads pods, and has listed the namespace's pods when {@link #of} returns (the SDK starts a
 * registered source as at start-up, waiting for its sync); the informers of namespaces that no
 * longer hold a rollout are dropped when the next namespace is added.
 */
final class PodNamespaces {
  private static final Logger LOG = Logger.getLogger(PodNamespaces.class);

  private final Map<String, InformerEventSource<Pod, GuardedRollout>> sources = new TreeMap<>();

  /** The pod informer of {@code namespace}, registered and synced on first use. */
  @SuppressWarnings("unchecked")
  synchronized InformerEventSource<Pod, GuardedRollout> of(
      Context<GuardedRollout> context, String namespace) {
    InformerEventSource<Pod, GuardedRollout> source = sources.get(namespace);
    if (source != null) {
      return source;
    }
    var retriever = context.eventSourceRetriever();
    Set<String> held =
        context
            .getPrimaryCache()
            .list()
            .map(r -> r.getMetadata().getNamespace())
            .collect(Collectors.toSet());
    for (var it = sources.keySet().iterator(); it.hasNext(); ) {
      String watched = it.next();
      if (!held.contains(watched)) {
        retriever.dynamicallyDeRegisterEventSource(name(watched));
        it.remove();
      }
    }
    EventSourceContext<GuardedRollout> sourceContext =
        retriever.eventSourceContextForDynamicRegistration();
    source =
        (InformerEventSource<Pod, GuardedRollout>)
            retriever.dynamicallyRegisterEventSource(
                new InformerEventSource<>(
                    InformerEventSourceConfiguration.from(Pod.class, GuardedRollout.class)
                        .withName(name(namespace))
                        .withNamespaces(Set.of(namespace))
                        .withItemStore(CachedForms.store(CachedForms::pod))
                        .withInformerListLimit(GuardedRolloutReconciler.LIST_PAGE)
                        .withSecondaryToPrimaryMapper(
                            pod ->
                                GuardedRolloutReconciler.rolloutsOf(
                                    pod, sourceContext.getPrimaryCache()))
                        .build(),
                    sourceContext));
    sources.put(namespace, source);
    LOG.infof("watching the pods of namespaces %s", sources.keySet());
    return source;
  }

  static String name(String namespace) {
    return GuardedRolloutReconciler.PODS + "/" + namespace;
  }
}
