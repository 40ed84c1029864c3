package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Keeps every pod this rollout claims or selects on a revision a track holds, over the claimed pods
 * as well as the selected ones:
 *
 * <ul>
 *   <li>a claimed pod that left the selector (relabelled, or the selector narrowed) is released:
 *       its claim and revision are removed, so it serves whatever stable holds, and no later
 *       revision leaves it on a number no ConfigMap holds;
 *   <li>a selected pod of this rollout on a number other than stable (or the candidate in flight)
 *       is pointed back at stable: a rollback whose patches were refused is finished, a pod left on
 *       an old number is brought back;
 *   <li>a selected pod on a revision no track of this rollout holds (a forged or stale {@code
 *       configguard.io/revision}, a claim naming a GuardedRollout that does not exist) is counted
 *       in {@code status.podsOnUnknownRevision}, reported, and pointed at stable.
 * </ul>
 *
 * A pod claimed by another existing GuardedRollout is left alone (that is a Conflict). Denied
 * patches back off ({@link Denials}).
 */
final class Converge {
  private Converge() {}

  /**
   * Whether every pod is where it should be, and if not when to look again.
   *
   * @param retry when not settled: how long until the next attempt is due
   */
  public record Result(boolean settled, Duration retry) {
    static final Result SETTLED = new Result(true, null);
  }

  /** With no candidate in flight: every claimed, selected pod points at stable. */
  public static boolean run(RolloutState state) {
    return converge(state, null).settled();
  }

  /**
   * One pass; pods on {@code candidate} (null: none in flight) stay there.
   *
   * @return whether nothing is left to do, and if something is, when to try again
   */
  public static Result converge(RolloutState state, Long candidate) {
    GuardedRolloutStatus s = state.status();
    Long stable = s.stableRevision;
    if (stable == null) {
      return Result.SETTLED;
    }
    if (!Tracks.holds(state, DerivedConfigMaps.Track.STABLE, stable, s.stableHash)) {
      // No pod is pointed at a number no track holds; they keep serving what they loaded.
      long away =
          state.selectedPods().stream()
              .filter(
                  p ->
                      state.isClaimedByMe(p)
                          && !state.isOn(p, stable)
                          && (candidate == null || !state.isOn(p, candidate)))
              .count();
      if (away == 0) {
        return Result.SETTLED;
      }
      state.message(
          away
              + " pods are not on stable revision "
              + stable
              + " and stay where they are: "
              + Tracks.finding(state, DerivedConfigMaps.Track.STABLE)
              + " and no copy of its content is left");
      return new Result(false, Requeue.RETRY);
    }
    Map<String, Pod> pods = new LinkedHashMap<>();
    state.selectedPods().forEach(p -> pods.put(p.getMetadata().getName(), p));
    state.claimedPods().forEach(p -> pods.putIfAbsent(p.getMetadata().getName(), p));
    List<Pod> leavers = new ArrayList<>();
    List<Pod> back = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Pod pod : pods.values()) {
      Map<String, String> a = PodHealth.annotations(pod);
      String claim = a.get(RolloutKeys.ROLLOUT);
      String revision = a.get(RolloutKeys.REVISION);
      boolean mine = state.name().equals(claim);
      if (!state.selects(pod)) {
        if (mine) {
          leavers.add(pod);
        }
        continue;
      }
      if (!mine && claim != null && state.cluster().rolloutExists(state.namespace(), claim)) {
        continue; // another rollout's pod: Conflict, not ours to touch
      }
      if (revision == null
          || Long.toString(stable).equals(revision)
          || (mine && candidate != null && state.isOn(pod, candidate))) {
        continue;
      }
      if (!mine || !known(state, revision)) {
        unknown.add(
            pod.getMetadata().getName()
                + " (revision "
                + revision
                + (mine ? "" : claim == null ? ", no claim" : " of " + claim)
                + ")");
      }
      back.add(pod);
    }
    state.podsOnUnknownRevision(unknown.size());
    if (leavers.isEmpty() && back.isEmpty()) {
      if (candidate == null) {
        state.clearDenials();
      }
      return Result.SETTLED;
    }
    Optional<Duration> holding = Denials.holding(state);
    if (holding.isPresent()) {
      return new Result(false, holding.get());
    }
    if (!unknown.isEmpty()) {
      state.warning(
          "UnknownRevision",
          unknown.size()
              + " selected pods point at a revision no track of this rollout holds: "
              + String.join(", ", unknown.subList(0, Math.min(unknown.size(), 5)))
              + (unknown.size() > 5 ? ", ..." : "")
              + "; pointing them at stable revision "
              + stable);
    }
    PodBatch.Outcome leaving =
        state.move(leavers, leavers.size(), true, p -> PodMover.release(state, p));
    leaving.rethrowFailure();
    if (leaving.denied() != null) {
      return denied(state, leaving.denied(), "no revision (release)");
    }
    PodBatch.Outcome returning =
        state.move(back, back.size(), true, p -> PodMover.pointAt(state, p, stable, false));
    returning.rethrowFailure();
    if (returning.denied() != null) {
      return denied(state, returning.denied(), "stable revision " + stable);
    }
    int released = leaving.moved().size();
    int returned = returning.moved().size();
    boolean refused = !leaving.refused().isEmpty() || !returning.refused().isEmpty();
    if (released > 0) {
      state.normal(
          "PodsReleased",
          released + " pods left the selector and were released: they serve whatever stable holds");
    }
    if (returned > 0) {
      state.normal("PodsReturned", returned + " pods pointed back at stable revision " + stable);
    }
    if (!refused && candidate == null) {
      state.clearDenials();
    }
    return refused ? new Result(false, Requeue.RETRY) : Result.SETTLED;
  }

  private static Result denied(RolloutState state, PodMover.Result.Denied denied, String target) {
    int n = Denials.record(state, denied, target);
    return new Result(false, Requeue.afterDenials(n));
  }

  /** Whether {@code revision} is one a track of this rollout holds, or held as the candidate. */
  private static boolean known(RolloutState state, String revision) {
    GuardedRolloutStatus s = state.status();
    OptionalLong staged =
        state
            .track(DerivedConfigMaps.Track.CANDIDATE)
            .map(DerivedConfigMaps::revisionOf)
            .orElse(OptionalLong.empty());
    return revision.equals(String.valueOf(s.stableRevision))
        || revision.equals(String.valueOf(s.candidateRevision))
        || (staged.isPresent() && revision.equals(Long.toString(staged.getAsLong())));
  }
}
