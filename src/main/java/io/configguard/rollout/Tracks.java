package io.configguard.rollout;

import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Optional;

/**
 * Writes a revision into the stable or candidate ConfigMap. Never writes a lower number than the
 * one already there, writes only ConfigMaps this rollout owns, and replaces only the exact version
 * it read (resourceVersion), so a stale operator cannot put an older revision over a newer one.
 */
public final class Tracks {
  private Tracks() {}

  /** Makes {@code track} hold {@code revision}; a no-op when it already does. */
  public static void write(
      RolloutState state, Track track, long revision, String hash, ConfigContent content)
      throws Cluster.Refused {
    ConfigMap desired = DerivedConfigMaps.build(state.rollout(), track, revision, hash, content);
    Optional<ConfigMap> current = state.track(track);
    if (current.isEmpty()) {
      state.cluster().create(desired);
      return;
    }
    ConfigMap existing = current.get();
    if (!ownedBy(existing, state)) {
      throw new Cluster.Refused(
          Cluster.Refused.Why.NOT_OURS,
          "ConfigMap "
              + track.nameFor(state.name())
              + " exists and is not owned by this GuardedRollout; delete or rename it");
    }
    long there = DerivedConfigMaps.revisionOf(existing).orElse(0);
    if (there > revision) {
      throw new Cluster.Refused(
          Cluster.Refused.Why.STALE,
          "ConfigMap "
              + track.nameFor(state.name())
              + " already holds revision "
              + there
              + ", newer than "
              + revision
              + "; not written");
    }
    if (there == revision && hash.equals(ConfigContent.ofDerived(existing).hash())) {
      return;
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    state.cluster().update(desired);
  }

  private static boolean ownedBy(ConfigMap map, RolloutState state) {
    List<OwnerReference> refs = map.getMetadata().getOwnerReferences();
    String uid = state.rollout().getMetadata().getUid();
    return refs != null
        && refs.stream()
            .anyMatch(
                r ->
                    Boolean.TRUE.equals(r.getController())
                        && "GuardedRollout".equals(r.getKind())
                        && state.name().equals(r.getName())
                        && (uid == null || uid.equals(r.getUid())));
  }
}
