package io.configguard.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An in-memory API server for handler tests, with the semantics the handlers rely on: every write
 * bumps resourceVersion, and a write carrying a stale one is refused. Safe for the parallel pod
 * moves of {@link PodBatch}: it counts the patches in flight, and each is applied under its lock.
 */
final class FakeCluster implements Cluster {
  /** The handler tests' pod moves: 4 in flight, so that they run the parallel path. */
  static final PodBatch MOVES = new PodBatch(4);

  private static final ObjectMapper JSON = new ObjectMapper();

  final Map<String, Pod> pods = new TreeMap<>();
  final Map<String, ConfigMap> maps = new TreeMap<>();
  final List<ConfigFreeze> freezes = new ArrayList<>();
  final Set<String> rollouts = new HashSet<>();
  final Map<String, String> namespaceLabels = new HashMap<>();
  final List<String> events = new ArrayList<>();
  final List<String> writes = new ArrayList<>();

  /** The pods read with {@link #freshPod}, in order. */
  final List<String> reads = new ArrayList<>();

  /** False plays a pass whose view went stale (a lost lease): its patches are not sent. */
  volatile boolean current = true;

  /** Runs outside the lock as each patch starts, while it counts as in flight. */
  volatile Consumer<Pod> whilePatching = p -> {};

  final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger maxInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Runs on the stored pod just before a patch is applied: simulates a concurrent writer. */
  Consumer<Pod> beforePatch = p -> {};

  /** The denial an admission controller gives a patch of the pod, or null to let it through. */
  java.util.function.Function<Pod, String> denial = p -> null;

  private long version = 100;

  synchronized Pod put(Pod pod) {
    Pod copy = new PodBuilder(pod).build();
    copy.getMetadata().setResourceVersion(Long.toString(++version));
    pods.put(copy.getMetadata().getName(), copy);
    return copy;
  }

  synchronized ConfigMap put(ConfigMap map) {
    ConfigMap copy = new ConfigMapBuilder(map).build();
    copy.getMetadata().setResourceVersion(Long.toString(++version));
    maps.put(copy.getMetadata().getName(), copy);
    return copy;
  }

  synchronized Pod pod(String name) {
    return pods.get(name);
  }

  synchronized String revisionOf(String pod) {
    return PodHealth.annotations(pods.get(pod)).get(RolloutKeys.REVISION);
  }

  synchronized long podWrites() {
    return writes.stream().filter(w -> w.startsWith("patch pod")).count();
  }

  synchronized List<String> eventReasons() {
    return events.stream().map(e -> e.split(":")[0]).toList();
  }

  @Override
  public synchronized Optional<ConfigMap> configMap(String namespace, String name) {
    return Optional.ofNullable(maps.get(name)).map(m -> new ConfigMapBuilder(m).build());
  }

  @Override
  public synchronized List<Pod> pods(String namespace) {
    return pods.values().stream().map(p -> new PodBuilder(p).build()).toList();
  }

  @Override
  public synchronized Optional<Pod> freshPod(String namespace, String name) {
    reads.add(name);
    return Optional.ofNullable(pods.get(name)).map(p -> new PodBuilder(p).build());
  }

  @Override
  public Pod patchPod(Pod pod, String mergePatch) throws Refused {
    if (!current) {
      throw new io.fabric8.kubernetes.client.KubernetesClientException(
          "the pass's view went stale; nothing is written", 409, null);
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      whilePatching.accept(pod);
      return apply(pod, mergePatch);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private synchronized Pod apply(Pod pod, String mergePatch) throws Refused {
    String name = pod.getMetadata().getName();
    Pod stored = pods.get(name);
    writes.add("patch pod " + name);
    if (stored == null) {
      throw new Refused(Refused.Why.STALE, "404");
    }
    beforePatch.accept(stored);
    try {
      JsonNode patch = JSON.readTree(mergePatch);
      if (!patch
          .at("/metadata/resourceVersion")
          .asText()
          .equals(stored.getMetadata().getResourceVersion())) {
        throw new Refused(Refused.Why.STALE, "409");
      }
      String denied = denial.apply(stored);
      if (denied != null) {
        throw new Refused(Refused.Why.DENIED, denied);
      }
      stored
          .getMetadata()
          .setAnnotations(
              merge(stored.getMetadata().getAnnotations(), patch.at("/metadata/annotations")));
      stored
          .getMetadata()
          .setLabels(merge(stored.getMetadata().getLabels(), patch.at("/metadata/labels")));
      stored.getMetadata().setResourceVersion(Long.toString(++version));
      return new PodBuilder(stored).build();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A JSON merge patch of a string map: null removes the key, as on a real API server. */
  private static Map<String, String> merge(Map<String, String> current, JsonNode patch) {
    Map<String, String> out = new HashMap<>(current == null ? Map.of() : current);
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    it.forEachRemaining(
        e -> {
          if (e.getValue().isNull()) {
            out.remove(e.getKey());
          } else {
            out.put(e.getKey(), e.getValue().asText());
          }
        });
    return out;
  }

  @Override
  public synchronized ConfigMap create(ConfigMap map) throws Refused {
    writes.add("create configmap " + map.getMetadata().getName());
    if (maps.containsKey(map.getMetadata().getName())) {
      throw new Refused(Refused.Why.STALE, "409 already exists");
    }
    return put(map);
  }

  @Override
  public synchronized ConfigMap update(ConfigMap map) throws Refused {
    writes.add("update configmap " + map.getMetadata().getName());
    ConfigMap stored = maps.get(map.getMetadata().getName());
    if (stored == null
        || !stored
            .getMetadata()
            .getResourceVersion()
            .equals(map.getMetadata().getResourceVersion())) {
      throw new Refused(Refused.Why.STALE, "409");
    }
    return put(map);
  }

  /** What a fresh read of the rollout finds; false plays a stale pass. */
  boolean rolloutUnchanged = true;

  @Override
  public synchronized void delete(ConfigMap map) throws Refused {
    writes.add("delete configmap " + map.getMetadata().getName());
    ConfigMap stored = maps.get(map.getMetadata().getName());
    if (stored == null
        || !stored
            .getMetadata()
            .getResourceVersion()
            .equals(map.getMetadata().getResourceVersion())) {
      throw new Refused(Refused.Why.STALE, "409");
    }
    maps.remove(map.getMetadata().getName());
  }

  @Override
  public boolean rolloutUnchanged(GuardedRollout read) {
    return rolloutUnchanged;
  }

  @Override
  public boolean rolloutExists(String namespace, String name) {
    return rollouts.contains(name);
  }

  @Override
  public List<ConfigFreeze> freezes() {
    return freezes;
  }

  @Override
  public Map<String, String> namespaceLabels(String namespace) {
    return namespaceLabels;
  }

  @Override
  public synchronized void event(GuardedRollout about, String type, String reason, String message) {
    events.add(reason + ": " + message);
  }
}
