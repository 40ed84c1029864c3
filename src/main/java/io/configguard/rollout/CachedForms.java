package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the process keeps of the objects its informers see, so that its memory grows with what it
 * guards and not with the cluster. Each form keeps exactly the fields configguard reads and drops
 * the rest (managedFields first of all), and interns the strings that repeat across objects
 * (namespaces, label keys and values, node names). The pruned forms are immutable where they differ
 * from a deserialized object (labels, annotations, unknown fields): treat cached objects as
 * read-only, as informer caches always must be.
 *
 * <ul>
 *   <li>{@link #pod}: every pod of the cluster is cached in this form, about 1 KiB instead of the 5
 *       to 10 KiB of a full pod: name, namespace, resourceVersion, labels (for the rollouts'
 *       selectors), the {@code configguard.io/} annotations (claim, revision, health baseline),
 *       deletion timestamp, node, phase, pod IP, the Ready condition, and per container its
 *       readiness and restart count.
 *   <li>ConfigMaps: every ConfigMap of the cluster is known by name, namespace and resourceVersion
 *       only, listed and watched metadata-only ({@link ConfigMapVersions}); the content of a source
 *       is read from the API when its resourceVersion moves.
 *   <li>{@link #namespace}: name and labels.
 *   <li>{@link #lean}: objects cached whole because configguard guards them (derived ConfigMaps,
 *       freezes, rollouts, policies, namespaces) lose their managedFields.
 * </ul>
 *
 * Code that reads another field of a cached pod must add it to {@link #pod} (a test lists the
 * fields kept).
 */
public final class CachedForms {
  /** The annotation prefix of everything configguard writes on a pod. */
  static final String OWN_PREFIX = "configguard.io/";

  /**
   * Shared by every pruned object instead of an empty map each: nothing adds unknown fields to a
   * cached object (they come from deserializing, which makes new objects).
   */
  private static final Map<String, Object> NONE = Map.of();

  private CachedForms() {}

  /** An item store keeping objects in the form {@code form} gives them. */
  public static <T extends HasMetadata> TransformingItemStore<T> store(
      java.util.function.UnaryOperator<T> form) {
    return new TransformingItemStore<>(form);
  }

  /** The object itself without its managedFields (changed in place and returned). */
  public static <T extends HasMetadata> T lean(T object) {
    if (object != null && object.getMetadata() != null) {
      object.getMetadata().setManagedFields(null);
    }
    return object;
  }

  /** The part of a pod the rollout reads; see the class comment. */
  public static Pod pod(Pod full) {
    ObjectMeta from = full.getMetadata();
    ObjectMeta meta = meta(from);
    meta.setLabels(interned(from.getLabels()));
    Map<String, String> own = new LinkedHashMap<>();
    if (from.getAnnotations() != null) {
      from.getAnnotations()
          .forEach(
              (k, v) -> {
                if (k.startsWith(OWN_PREFIX)) {
                  own.put(k.intern(), v);
                }
              });
    }
    meta.setAnnotations(own.isEmpty() ? null : java.util.Collections.unmodifiableMap(own));
    meta.setDeletionTimestamp(from.getDeletionTimestamp());
    Pod pod = new Pod();
    pod.setAdditionalProperties(NONE);
    pod.setApiVersion(full.getApiVersion());
    pod.setKind(full.getKind());
    pod.setMetadata(meta);
    if (full.getSpec() != null && full.getSpec().getNodeName() != null) {
      PodSpec spec = new PodSpec();
      strip(spec);
      spec.setAdditionalProperties(NONE);
      spec.setNodeName(full.getSpec().getNodeName().intern());
      pod.setSpec(spec);
    }
    PodStatus status = full.getStatus();
    if (status != null) {
      PodStatus kept = new PodStatus();
      strip(kept);
      kept.setAdditionalProperties(NONE);
      kept.setPhase(intern(status.getPhase()));
      kept.setPodIP(status.getPodIP());
      if (status.getConditions() != null && !status.getConditions().isEmpty()) {
        // Readiness is the one condition the health gate reads.
        List<PodCondition> conditions = new ArrayList<>(1);
        for (PodCondition c : status.getConditions()) {
          if ("Ready".equals(c.getType())) {
            PodCondition condition = new PodCondition();
            condition.setAdditionalProperties(NONE);
            condition.setType(intern(c.getType()));
            condition.setStatus(intern(c.getStatus()));
            conditions.add(condition);
          }
        }
        kept.setConditions(conditions.isEmpty() ? null : conditions);
      }
      if (status.getContainerStatuses() != null && !status.getContainerStatuses().isEmpty()) {
        List<ContainerStatus> containers = new ArrayList<>(status.getContainerStatuses().size());
        for (ContainerStatus c : status.getContainerStatuses()) {
          ContainerStatus container = new ContainerStatus();
          container.setAdditionalProperties(NONE);
          container.setName(intern(c.getName()));
          container.setReady(c.getReady());
          container.setRestartCount(c.getRestartCount());
          container.setVolumeMounts(null);
          container.setAllocatedResourcesStatus(null);
          containers.add(container);
        }
        kept.setContainerStatuses(containers);
      }
      pod.setStatus(kept);
    }
    return pod;
  }

  /** A namespace's name, resourceVersion and labels (for namespaceSelector and freezes). */
  public static Namespace namespace(Namespace full) {
    Namespace ns = new Namespace();
    ns.setAdditionalProperties(NONE);
    ns.setApiVersion(full.getApiVersion());
    ns.setKind(full.getKind());
    ObjectMeta meta = meta(full.getMetadata());
    meta.setLabels(interned(full.getMetadata().getLabels()));
    ns.setMetadata(meta);
    ns.setSpec(null);
    ns.setStatus(null);
    return ns;
  }

  private static ObjectMeta meta(ObjectMeta from) {
    ObjectMeta meta = new ObjectMeta();
    meta.setAdditionalProperties(NONE);
    meta.setName(from.getName());
    meta.setNamespace(intern(from.getNamespace()));
    meta.setResourceVersion(from.getResourceVersion());
    meta.setFinalizers(null);
    meta.setManagedFields(null);
    meta.setOwnerReferences(null);
    meta.setLabels(null);
    meta.setAnnotations(null);
    return meta;
  }

  private static void strip(PodSpec spec) {
    spec.setContainers(null);
    spec.setEphemeralContainers(null);
    spec.setHostAliases(null);
    spec.setImagePullSecrets(null);
    spec.setInitContainers(null);
    spec.setNodeSelector(null);
    spec.setOverhead(null);
    spec.setReadinessGates(null);
    spec.setResourceClaims(null);
    spec.setSchedulingGates(null);
    spec.setTolerations(null);
    spec.setTopologySpreadConstraints(null);
    spec.setVolumes(null);
  }

  private static void strip(PodStatus status) {
    status.setConditions(null);
    status.setContainerStatuses(null);
    status.setEphemeralContainerStatuses(null);
    status.setHostIPs(null);
    status.setInitContainerStatuses(null);
    status.setPodIPs(null);
    status.setResourceClaimStatuses(null);
  }

  private static Map<String, String> interned(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>(labels.size() * 2);
    labels.forEach((k, v) -> out.put(k.intern(), intern(v)));
    // Not Map.copyOf: a label with a null value (which the mock server's merge patch leaves) must
    // not make the informer's store throw.
    return java.util.Collections.unmodifiableMap(out);
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }
}
