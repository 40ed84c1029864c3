package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The content of the rollouts' source ConfigMaps, read from the API when the metadata-only informer
 * shows a resourceVersion this holds no content for. Holds at most one ConfigMap per source some
 * GuardedRollout names: an entry whose ConfigMap is no longer anyone's source is dropped at the
 * next read.
 */
final class SourceContents {
  private final Map<ResourceID, ConfigMap> byId = new ConcurrentHashMap<>();
  private volatile Predicate<ResourceID> isSource = id -> true;

  /** Which ConfigMaps are worth keeping: those some GuardedRollout names as its source. */
  void retainWhile(Predicate<ResourceID> isSource) {
    this.isSource = isSource;
  }

  /**
   * The content at {@code seenVersion} (or newer), from this cache or else from {@code read}.
   *
   * @param read reads the ConfigMap from the API; null when it does not exist
   */
  Optional<ConfigMap> get(ResourceID id, String seenVersion, Supplier<ConfigMap> read) {
    ConfigMap cached = byId.get(id);
    if (cached != null && Objects.equals(seenVersion, cached.getMetadata().getResourceVersion())) {
      return Optional.of(cached);
    }
    ConfigMap fresh = read.get();
    if (fresh == null) {
      byId.remove(id);
      return Optional.empty();
    }
    byId.put(id, CachedForms.lean(fresh));
    byId.keySet().removeIf(k -> !isSource.test(k));
    return Optional.of(fresh);
  }

  int size() {
    return byId.size();
  }
}
