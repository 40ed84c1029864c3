package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a revision into the stable or candidate ConfigMap, and checks every pass that each track
 * still holds what the status says was staged there. Never writes a lower number than the one
 * already there, writes only ConfigMaps this rollout owns, and replaces only the exact version it
 * read (resourceVersion), so a stale operator cannot put an older revision over a newer one.
 */
final class Tracks {
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
    if (!DerivedConfigMaps.ownedBy(existing, state.rollout())) {
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

  /**
   * The pass's check of both tracks against the status: the stable track must hold the stable
   * revision's bytes; the candidate track the staged candidate's, or, with nothing staged, stable's
   * when it carries stable's number. A track that is missing or holds anything else (a hand edit of
   * its content or of its revision key, a deletion) is restored from the operator's own record: any
   * copy whose bytes hash to the recorded hash (the other track, or the source while it still holds
   * that content). Each finding and repair is an Event. Whatever could not be repaired is left for
   * the handlers, which then neither move a pod to it nor pre-flight against it.
   */
  public static void verify(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.stableRevision == null || s.stableHash == null) {
      return;
    }
    check(state, Track.STABLE, s.stableRevision, s.stableHash);
    if (staged(s)) {
      check(state, Track.CANDIDATE, s.candidateRevision, s.candidateHash);
    } else if (state
        .track(Track.CANDIDATE)
        .map(m -> DerivedConfigMaps.revisionOf(m).orElse(-1) == s.stableRevision)
        .orElse(false)) {
      // Idle, the candidate track is a copy of stable (after promotion) and must stay one.
      check(state, Track.CANDIDATE, s.stableRevision, s.stableHash);
    }
  }

  /** A candidate has passed pre-flight and been written: pods may point at it. */
  static boolean staged(GuardedRolloutStatus s) {
    return s.candidateRevision != null && s.candidateHash != null && s.currentStep != null;
  }

  /** Whether {@code track} holds exactly this revision and content now. */
  public static boolean holds(RolloutState state, Track track, long revision, String hash) {
    return DerivedConfigMaps.holds(state.track(track), revision, hash);
  }

  /**
   * What {@code track} holds now, in words: "x-stable is missing", "x-stable holds revision 9 …".
   */
  public static String finding(RolloutState state, Track track) {
    Optional<ConfigMap> there = state.track(track);
    String name = track.nameFor(state.name());
    return there.isEmpty()
        ? name + " is missing"
        : name
            + " holds revision "
            + DerivedConfigMaps.revisionOf(there.get()).stream()
                .mapToObj(Long::toString)
                .findFirst()
                .orElse("(none)")
            + " with content "
            + ConfigContent.ofDerived(there.get()).hash();
  }

  /** A copy of the content with {@code hash}, and where it was found. */
  record Record(ConfigContent content, String from) {}

  /** The operator's record of content {@code hash}: a track or the source holding those bytes. */
  static Optional<Record> record(RolloutState state, String hash) {
    for (Track track : Track.values()) {
      Optional<ConfigMap> map = state.track(track);
      if (map.isPresent() && ConfigContent.ofDerived(map.get()).hash().equals(hash)) {
        return Optional.of(
            new Record(ConfigContent.ofDerived(map.get()), track.nameFor(state.name())));
      }
    }
    return state
        .source()
        .filter(m -> ConfigContent.of(m).hash().equals(hash))
        .map(m -> new Record(ConfigContent.of(m), m.getMetadata().getName()));
  }

  private static void check(RolloutState state, Track track, long revision, String hash) {
    Optional<ConfigMap> there = state.track(track);
    if (DerivedConfigMaps.holds(there, revision, hash)) {
      return;
    }
    String found = finding(state, track);
    String expected = "revision " + revision + " (" + hash + ")";
    Optional<Record> record = record(state, hash);
    if (record.isEmpty()) {
      return; // the handlers say so, and neither move a pod to it nor pre-flight against it
    }
    try {
      repair(state, track, revision, hash, record.get().content(), there);
      state.warning(
          "TrackRepaired",
          found + "; restored the staged " + expected + " from " + record.get().from());
    } catch (Cluster.Refused refused) {
      state.warning(
          "TrackRepairRefused",
          found + "; restoring the staged " + expected + " was refused: " + refused.getMessage());
    }
  }

  /**
   * Puts the staged content back over whatever the track holds now, also over a higher number (a
   * hand-set revision key). That is the one write that may lower a number, so it is made only after
   * a fresh read from the API server shows the GuardedRollout unchanged since this pass read it: a
   * stale operator, whose status is older than the track, is refused here.
   */
  private static void repair(
      RolloutState state,
      Track track,
      long revision,
      String hash,
      ConfigContent content,
      Optional<ConfigMap> there)
      throws Cluster.Refused {
    if (!state.cluster().rolloutUnchanged(state.rollout())) {
      throw new Cluster.Refused(
          Cluster.Refused.Why.STALE, "the GuardedRollout changed since this pass read it");
    }
    ConfigMap desired = DerivedConfigMaps.build(state.rollout(), track, revision, hash, content);
    if (there.isEmpty()) {
      state.cluster().create(desired);
      return;
    }
    Map<String, String> labels = there.get().getMetadata().getLabels();
    boolean ours =
        DerivedConfigMaps.ownedBy(there.get(), state.rollout())
            || labels != null && state.name().equals(labels.get(RolloutKeys.ROLLOUT));
    if (!ours) {
      throw new Cluster.Refused(
          Cluster.Refused.Why.NOT_OURS,
          "ConfigMap "
              + track.nameFor(state.name())
              + " exists and is not owned by this GuardedRollout; delete or rename it");
    }
    desired.getMetadata().setResourceVersion(there.get().getMetadata().getResourceVersion());
    state.cluster().update(new ConfigMapBuilder(desired).build());
  }
}
