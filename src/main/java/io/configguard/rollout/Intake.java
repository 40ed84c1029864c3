package io.configguard.rollout;

import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Optional;

/**
 * Takes a new revision from the source when one is due: new content (by hash) that is neither
 * stable nor a failed hash, while the circuit is closed. A failed hash written again is recorded
 * and skipped, so a generator rewriting bad content cannot restart a loop.
 */
final class Intake {
  private Intake() {}

  /** Starts Validating a new revision, or stays in {@code idle}. */
  public static Step run(RolloutState state, RolloutPhase idle) {
    GuardedRolloutStatus s = state.status();
    if (s.circuitOpenGeneration != null && s.circuitOpenGeneration != state.generation()) {
      state.closeCircuit();
      state.normal("CircuitClosed", "the spec changed: new revisions are taken again");
    }
    switch (Release.adopt(state)) {
      case ADOPTED -> idle = Outcomes.idlePhase(s);
      case REFUSED -> {
        return Step.rest(idle, Requeue.VALIDATION_RETRY);
      }
      case NONE -> {}
    }
    Optional<ConfigMap> source = state.source();
    if (source.isEmpty()) {
      state.message("waiting for ConfigMap " + state.spec().sourceRef.name);
      return Step.rest(idle, null);
    }
    String hash = ConfigContent.of(source.get()).hash();
    boolean seenNow = state.sawSource(hash);
    if (hash.equals(s.stableHash)) {
      return Step.rest(idle, null);
    }
    Optional<FailedRevision> failed =
        s.failedRevisions == null
            ? Optional.empty()
            : s.failedRevisions.stream().filter(f -> hash.equals(f.hash)).findFirst();
    // Recorded once per appearance of the content, so the outcome's own message stays until then.
    if (failed.isPresent()) {
      if (seenNow) {
        state.message(
            "source content "
                + hash
                + " failed as revision "
                + failed.get().revision
                + " and is not attempted again ("
                + failed.get().reason
                + ")");
        state.warning("RevisionSkipped", s.message);
      }
      return Step.rest(idle, null);
    }
    if (s.circuitOpenGeneration != null) {
      if (seenNow) {
        state.message(
            "circuit open after "
                + s.consecutiveFailures
                + " failed revisions: source content "
                + hash
                + " is not taken until the spec changes");
        state.warning("CircuitOpen", s.message);
      }
      return Step.rest(idle, null);
    }
    long revision =
        Revisions.next(s, state.track(Track.STABLE), state.track(Track.CANDIDATE), hash);
    state.startRevision(revision, hash);
    state.message(
        "revision " + revision + " (" + hash + ") from ConfigMap " + state.spec().sourceRef.name);
    state.normal("NewRevision", s.message);
    return Step.go(RolloutPhase.Validating);
  }
}
