package io.configguard.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.LongStream;

/**
 * What deleting a GuardedRollout leaves behind, and how a new one of the same name takes it back.
 *
 * <p>Deleting must not take config away from pods: kubelet empties an optional ConfigMap volume
 * whose ConfigMap is gone, and every pod that restarts would come up with nothing. So, before the
 * finalizer goes, a candidate in flight is withdrawn (every pod this rollout claims points at
 * stable again), {@code -candidate} is deleted, and {@code -stable} is kept: its owner reference is
 * removed (the garbage collector leaves it), it is labelled {@code configguard.io/released}, and it
 * carries the rollout's record: the highest revision number given out and the failed hashes. The
 * pods' annotations stay valid: they point at the revision {@code -stable} holds.
 *
 * <p>A GuardedRollout of the same name adopts a released {@code -stable} (when its bytes still hash
 * to its hash annotation): its revision becomes stable again, numbering goes on above the record,
 * and the failed hashes stay quarantined. Content is therefore never given a number it had before,
 * and a re-created rollout never ships a first revision to every pod at once over pods that serve
 * one.
 */
final class Release {
  private static final TypeReference<List<FailedRevision>> FAILED_LIST = new TypeReference<>() {};

  private Release() {}

  /**
   * One deletion pass: empty once nothing is left to do and the finalizer may go, else when to look
   * again.
   */
  public static Optional<Duration> run(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    Optional<ConfigMap> stable = state.track(Track.STABLE);
    boolean stableHeld =
        s.stableRevision != null
            && s.stableHash != null
            && Tracks.holds(state, Track.STABLE, s.stableRevision, s.stableHash);
    if (stableHeld && !returnPods(state, s.stableRevision)) {
      return Optional.of(Requeue.RETRY);
    }
    if (!stableHeld && s.candidateRevision != null && anyPodOn(state, s.candidateRevision)) {
      // Its pods cannot go back, and deleting -candidate would empty their volume: fail closed.
      String held =
          "deletion waits: pods serve candidate revision "
              + s.candidateRevision
              + " and no track holds stable revision "
              + s.stableRevision
              + " to return them to ("
              + Tracks.finding(state, Track.STABLE)
              + "); put its content back into the source, or release the tracks by hand";
      state.warning("DeletionHeld", held);
      return Optional.of(Requeue.DELETION_HELD);
    }
    try {
      Optional<ConfigMap> candidate = state.track(Track.CANDIDATE);
      if (candidate.isPresent() && DerivedConfigMaps.ownedBy(candidate.get(), state.rollout())) {
        state.cluster().delete(candidate.get());
      }
      if (stable.isPresent() && DerivedConfigMaps.ownedBy(stable.get(), state.rollout())) {
        state.cluster().update(released(stable.get(), s, candidate));
        state.normal(
            "Released",
            Track.STABLE.nameFor(state.name())
                + " (revision "
                + DerivedConfigMaps.revisionOf(stable.get()).orElse(0)
                + ") is kept for the pods that mount it, released by the deleted GuardedRollout;"
                + " a GuardedRollout named "
                + state.name()
                + " adopts it again");
      }
    } catch (Cluster.Refused refused) {
      return Optional.of(Requeue.RETRY);
    }
    return Optional.empty();
  }

  private static boolean anyPodOn(RolloutState state, long revision) {
    return state.cluster().pods(state.namespace()).stream().anyMatch(p -> state.isOn(p, revision));
  }

  /** Every pod this rollout claims points at stable; false while some move is refused. */
  private static boolean returnPods(RolloutState state, long stable) {
    List<Pod> away =
        state.cluster().pods(state.namespace()).stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> state.isClaimedByMe(p) && !state.isOn(p, stable))
            .toList();
    // A denied pod does not stop the others: each pod that can go back does.
    PodBatch.Outcome batch =
        state.move(away, away.size(), false, p -> PodMover.pointAt(state, p, stable, false));
    batch.rethrowFailure();
    int moved = batch.moved().size();
    boolean all = moved == away.size();
    if (moved > 0) {
      state.normal(
          "PodsReturned",
          moved + " pods pointed back at stable revision " + stable + " before deletion");
    }
    return all;
  }

  /** The -stable ConfigMap without its owner, labelled released, carrying the record. */
  private static ConfigMap released(
      ConfigMap stable, GuardedRolloutStatus s, Optional<ConfigMap> candidate) {
    long latest =
        LongStream.of(
                orZero(s.latestRevision),
                orZero(s.stableRevision),
                orZero(s.candidateRevision),
                DerivedConfigMaps.revisionOf(stable).orElse(0),
                candidate.map(c -> DerivedConfigMaps.revisionOf(c).orElse(0)).orElse(0L))
            .max()
            .orElse(0);
    List<Map<String, Object>> failed = new ArrayList<>();
    if (s.failedRevisions != null) {
      for (FailedRevision f : s.failedRevisions) {
        if (f.hash == null) {
          continue;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("revision", f.revision == null ? 0 : f.revision);
        entry.put("hash", f.hash);
        failed.add(entry);
      }
    }
    ConfigMap copy = new ConfigMapBuilder(stable).build();
    copy.getMetadata().setOwnerReferences(new ArrayList<>());
    Map<String, String> labels = new HashMap<>(orEmpty(copy.getMetadata().getLabels()));
    labels.put(DerivedConfigMaps.RELEASED_LABEL, "true");
    copy.getMetadata().setLabels(labels);
    Map<String, String> annotations = new HashMap<>(orEmpty(copy.getMetadata().getAnnotations()));
    copy.getMetadata().setAnnotations(annotations);
    annotations.put(DerivedConfigMaps.LATEST_REVISION_ANNOTATION, Long.toString(latest));
    annotations.put(DerivedConfigMaps.FAILED_ANNOTATION, Serialization.asJson(failed));
    return copy;
  }

  /** What {@link #adopt} did. */
  public enum Adoption {
    /** Nothing to adopt. */
    NONE,
    /** The status now has the released revision as stable. */
    ADOPTED,
    /** A released -stable is there but cannot be taken back now: nothing may ship over it. */
    REFUSED
  }

  /**
   * A rollout with no record of its own takes a released (or its own, recorded) {@code -stable}
   * back: ownership first, then the status. A released ConfigMap whose bytes do not match its hash
   * is not adopted (the message says why), and no revision ships while it is there.
   */
  public static Adoption adopt(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    Optional<ConfigMap> found = state.track(Track.STABLE);
    if (s.stableRevision != null || s.latestRevision != null || found.isEmpty()) {
      return Adoption.NONE;
    }
    ConfigMap stable = found.get();
    Map<String, String> annotations = stable.getMetadata().getAnnotations();
    boolean released = DerivedConfigMaps.releasedFor(stable, state.name());
    boolean recorded =
        DerivedConfigMaps.ownedBy(stable, state.rollout())
            && annotations != null
            && annotations.containsKey(DerivedConfigMaps.LATEST_REVISION_ANNOTATION);
    if (!released && !recorded) {
      return Adoption.NONE;
    }
    OptionalLong revision = DerivedConfigMaps.revisionOf(stable);
    Optional<String> hash = DerivedConfigMaps.hashOf(stable);
    if (revision.isEmpty()
        || hash.isEmpty()
        || !DerivedConfigMaps.holds(found, revision.getAsLong(), hash.get())) {
      state.message(
          Track.STABLE.nameFor(state.name())
              + " was released by a deleted GuardedRollout but its content no longer matches its"
              + " hash: not adopted, and no revision is shipped until it is restored or deleted");
      return Adoption.REFUSED;
    }
    if (released) {
      ConfigMap adopted = new ConfigMapBuilder(stable).build();
      Map<String, String> labels = new HashMap<>(orEmpty(adopted.getMetadata().getLabels()));
      labels.remove(DerivedConfigMaps.RELEASED_LABEL);
      adopted.getMetadata().setLabels(labels);
      adopted
          .getMetadata()
          .setOwnerReferences(
              new ArrayList<>(List.of(DerivedConfigMaps.ownerReference(state.rollout()))));
      try {
        state.cluster().update(adopted);
      } catch (Cluster.Refused refused) {
        state.message(
            "adopting " + Track.STABLE.nameFor(state.name()) + ": " + refused.getMessage());
        return Adoption.REFUSED;
      }
    }
    long latest = revision.getAsLong();
    try {
      latest =
          Math.max(
              latest,
              Long.parseLong(
                  annotations.getOrDefault(DerivedConfigMaps.LATEST_REVISION_ANNOTATION, "0")));
    } catch (NumberFormatException e) {
      // the revision it holds is the floor
    }
    String time = state.now().toString();
    state.adoptStable(
        revision.getAsLong(),
        hash.get(),
        latest,
        recordedFailures(annotations).stream()
            .map(
                f ->
                    new FailedRevision(
                        f.revision,
                        f.hash,
                        "failed before this GuardedRollout was re-created (recorded on "
                            + Track.STABLE.nameFor(state.name())
                            + ")",
                        time))
            .toList());
    state.message(
        "adopted "
            + Track.STABLE.nameFor(state.name())
            + ": revision "
            + s.stableRevision
            + " is stable; numbering goes on above "
            + latest);
    state.addHistory(
        new RolloutHistoryEntry(
            s.stableRevision, s.stableHash, RolloutPhase.Succeeded, s.message, time));
    state.normal("Adopted", s.message);
    return Adoption.ADOPTED;
  }

  private static List<FailedRevision> recordedFailures(Map<String, String> annotations) {
    String json = annotations == null ? null : annotations.get(DerivedConfigMaps.FAILED_ANNOTATION);
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      List<FailedRevision> list = Serialization.jsonMapper().readValue(json, FAILED_LIST);
      return list == null ? List.of() : list;
    } catch (JsonProcessingException e) {
      return List.of();
    }
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
