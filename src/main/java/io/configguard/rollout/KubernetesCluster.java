package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The operator's {@link Cluster}: reads from the informers' caches (which also hold this operator's
 * own latest writes), writes through the API with preconditions, and files core Events. A 409 or
 * 422 is a refused precondition; an admission webhook's denial is reported as such. A write from a
 * pass whose GuardedRollout has changed since it was read is not sent: the pass ends with a
 * conflict (see {@link #ensureCurrent}).
 */
final class KubernetesCluster implements Cluster {
  private static final Logger LOG = Logger.getLogger(KubernetesCluster.class);

  private final Context<GuardedRollout> context;
  private final KubernetesClient client;
  private final PodNamespaces podNamespaces;
  private final InformerEventSource<ConfigMap, GuardedRollout> configMaps;
  private final ConfigMapVersions sources;
  private final SourceContents sourceContents;
  private final InformerEventSource<ConfigFreeze, GuardedRollout> freezes;
  private final ResourceID rollout;
  private final String readVersion;
  private final List<Runnable> pendingEvents = new ArrayList<>();

  @SuppressWarnings("unchecked")
  KubernetesCluster(
      Context<GuardedRollout> context, SourceContents sourceContents, PodNamespaces podNamespaces) {
    this.context = context;
    this.sourceContents = sourceContents;
    this.podNamespaces = podNamespaces;
    this.client = context.getClient();
    var retriever = context.eventSourceRetriever();
    this.configMaps =
        (InformerEventSource<ConfigMap, GuardedRollout>)
            retriever.getEventSourceFor(ConfigMap.class, GuardedRolloutReconciler.CONFIG_MAPS);
    this.sources =
        (ConfigMapVersions)
            retriever.getEventSourceFor(ConfigMap.class, GuardedRolloutReconciler.SOURCES);
    this.freezes =
        (InformerEventSource<ConfigFreeze, GuardedRollout>)
            retriever.getEventSourceFor(ConfigFreeze.class, GuardedRolloutReconciler.FREEZES);
    GuardedRollout read = context.getPrimaryResource();
    this.rollout = ResourceID.fromResource(read);
    this.readVersion = read.getMetadata().getResourceVersion();
  }

  /**
   * Before each write: the GuardedRollout this pass decided on must still be the newest this
   * operator has seen. A pass that stalled (a long pause, a slow call, a replica losing its lease)
   * while another actor moved the rollout on would otherwise act on an old status with fresh pod
   * and ConfigMap versions, which their own preconditions accept: it would point pods back at a
   * stable revision that has since been superseded, or stage a revision over a newer one. The pass
   * ends as a conflict, which the operator SDK retries from fresh state.
   */
  private void ensureCurrent() {
    if (!isCurrent()) {
      String newest = newestVersion();
      throw new KubernetesClientException(
          "GuardedRollout "
              + rollout
              + " changed since this pass read it (resourceVersion "
              + readVersion
              + ", now "
              + newest
              + "); nothing is written from the stale view",
          409,
          null);
    }
  }

  private boolean isCurrent() {
    return Objects.equals(readVersion, newestVersion());
  }

  private String newestVersion() {
    return context
        .getPrimaryCache()
        .get(rollout)
        .map(r -> r.getMetadata().getResourceVersion())
        .orElse(null);
  }

  /**
   * A derived ConfigMap from the label-selected cache (which also holds this operator's writes);
   * any other ConfigMap whose version {@link ConfigMapVersions} knows, with its content read from
   * the API when its resourceVersion moved (see {@link SourceContents}).
   */
  @Override
  public Optional<ConfigMap> configMap(String namespace, String name) {
    ResourceID id = new ResourceID(name, namespace);
    Optional<ConfigMap> derived = configMaps.get(id);
    if (derived.isPresent()) {
      return derived;
    }
    Optional<String> seen = sources.version(id);
    if (seen.isEmpty()) {
      return Optional.empty();
    }
    return sourceContents.get(
        id, seen.get(), () -> client.configMaps().inNamespace(namespace).withName(name).get());
  }

  @Override
  public List<Pod> pods(String namespace) {
    InformerEventSource<Pod, GuardedRollout> pods = podNamespaces.of(context, namespace);
    return pods.list(namespace, p -> true)
        .map(p -> pods.get(ResourceID.fromResource(p)).orElse(p))
        .toList();
  }

  @Override
  public Optional<Pod> freshPod(String namespace, String name) {
    return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
  }

  @Override
  public Pod patchPod(Pod pod, String mergePatch) throws Refused {
    ensureCurrent();
    return write(
        podNamespaces.of(context, pod.getMetadata().getNamespace()),
        pod,
        p -> patch(client, p, mergePatch));
  }

  /** Sends a JSON merge patch; its resourceVersion makes the API server check the precondition. */
  static Pod patch(KubernetesClient client, Pod pod, String mergePatch) {
    return client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  @Override
  public ConfigMap create(ConfigMap map) throws Refused {
    ensureCurrent();
    return write(configMaps, map, m -> client.configMaps().resource(m).create());
  }

  @Override
  public ConfigMap update(ConfigMap map) throws Refused {
    ensureCurrent();
    return write(configMaps, map, m -> client.configMaps().resource(m).update());
  }

  @Override
  public void delete(ConfigMap map) throws Refused {
    ensureCurrent();
    try {
      client
          .configMaps()
          .inNamespace(map.getMetadata().getNamespace())
          .withName(map.getMetadata().getName())
          .lockResourceVersion(map.getMetadata().getResourceVersion())
          .delete();
    } catch (KubernetesClientException e) {
      throw refusal(e);
    }
  }

  @Override
  public boolean rolloutUnchanged(GuardedRollout read) {
    GuardedRollout fresh =
        client
            .resources(GuardedRollout.class)
            .inNamespace(read.getMetadata().getNamespace())
            .withName(read.getMetadata().getName())
            .get();
    return fresh != null
        && Objects.equals(readVersion, fresh.getMetadata().getResourceVersion())
        && isCurrent();
  }

  /** Writes through the informer so the next read sees the result and no event echoes back. */
  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> R write(
      InformerEventSource<R, GuardedRollout> source, R resource, UnaryOperator<R> operation)
      throws Refused {
    try {
      return source.eventFilteringUpdateAndCacheResource(resource, operation);
    } catch (KubernetesClientException e) {
      throw refusal(e);
    }
  }

  /** A failed precondition or an admission denial as a {@link Refused}; anything else rethrown. */
  static Refused refusal(KubernetesClientException e) throws KubernetesClientException {
    String message = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
    if (isDenial(e.getCode(), message)) {
      return new Refused(Refused.Why.DENIED, message);
    }
    if (e.getCode() == 409 || e.getCode() == 422 || e.getCode() == 404) {
      return new Refused(Refused.Why.STALE, "precondition failed (" + e.getCode() + ")");
    }
    throw e;
  }

  /**
   * A write something refused on its merits, which the same write will meet again: an admission
   * webhook's denial ("admission webhook ... denied the request"), a ValidatingAdmissionPolicy's
   * ("... denied request"), or any other 403 or 400 with a reason (an admission plugin such as
   * PodSecurity or ResourceQuota). A 409, or a 422 or 404 without such a reason, is a precondition
   * that fresh state may meet. RBAC's 403 ("User ... cannot patch resource ...") is no verdict on
   * the write: it is the operator's own misconfiguration and stays an error.
   */
  static boolean isDenial(int code, String message) {
    if (message == null || message.isBlank()) {
      return false;
    }
    if (message.contains("denied the request") || message.contains("denied request")) {
      return true;
    }
    return (code == 403 || code == 400) && !RBAC.matcher(message).find();
  }

  private static final java.util.regex.Pattern RBAC =
      java.util.regex.Pattern.compile("cannot \\w+ resource");

  @Override
  public boolean rolloutExists(String namespace, String name) {
    return context.getPrimaryCache().get(new ResourceID(name, namespace)).isPresent();
  }

  @Override
  public List<ConfigFreeze> freezes() {
    return freezes.list(f -> true).toList();
  }

  @Override
  public Map<String, String> namespaceLabels(String namespace) {
    return NamespaceLabels.read(client, namespace);
  }

  /**
   * Holds the Event until the pass's writes are committed ({@link #fileEvents}): an Event is a
   * write too, and one from a pass that decided on a stale view (a replica that lost its lease
   * while baking) would tell of a step or revision the rollout has moved past.
   */
  @Override
  public void event(GuardedRollout about, String type, String reason, String message) {
    pendingEvents.add(() -> file(about, type, reason, message));
  }

  /**
   * Files the pass's Events. {@code committed}: the pass's status patch, conditional on the version
   * it read, was applied, which is the fence. Otherwise (nothing to patch) they pass the same check
   * as pod and ConfigMap writes, and are dropped when the GuardedRollout changed since the pass
   * read it.
   */
  void fileEvents(boolean committed) {
    if (!committed && !isCurrent()) {
      LOG.debugf("dropped %d events of a stale pass over %s", pendingEvents.size(), rollout);
      pendingEvents.clear();
      return;
    }
    pendingEvents.forEach(Runnable::run);
    pendingEvents.clear();
  }

  private void file(GuardedRollout about, String type, String reason, String message) {
    try {
      Events.record(client, about, type, reason, message);
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "could not record event %s for %s/%s: %s",
          reason,
          about.getMetadata().getNamespace(),
          about.getMetadata().getName(),
          e.getMessage());
    }
  }
}
