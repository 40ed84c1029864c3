package io.configguard.rollout;

import io.configguard.api.Enforcement;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.policy.Verdict;
import io.configguard.policy.Violation;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Pre-flight: the candidate is evaluated against every policy that matches the source. A Deny
 * violation fails the revision before any pod is touched. A passing first revision becomes stable
 * directly (there is nothing to stage against); a later one is written to the candidate ConfigMap
 * and staged, and its first pods move on the next pass, once the status says so.
 */
final class ValidatingHandler implements PhaseHandler {
  @Override
  public Step handle(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.candidateRevision == null) {
      return Step.go(Outcomes.idlePhase(s));
    }
    long revision = s.candidateRevision;
    String hash = s.candidateHash;
    Optional<ConfigMap> source = state.source();
    if (source.isEmpty() || !ConfigContent.of(source.get()).hash().equals(hash)) {
      // The source moved on before pre-flight ran (an operator restart in between): this number
      // is spent, and the new content gets the next one.
      state.clearCandidate();
      return Step.go(Outcomes.idlePhase(s));
    }
    ConfigContent content = ConfigContent.of(source.get());
    if (content.usesReservedKey()) {
      return fail(state, "the source uses the reserved key " + DerivedConfigMaps.REVISION_KEY);
    }
    Optional<String> tooLarge = Preflight.stagedSizeError(state, revision, hash, content);
    if (tooLarge.isPresent()) {
      return fail(state, tooLarge.get());
    }
    if (s.stableRevision != null
        && !Tracks.holds(state, Track.STABLE, s.stableRevision, s.stableHash)) {
      // Pre-flight compares with what the pods run; with that unknown it fails closed, and the
      // revision is not blamed for it.
      state.message(
          "revision "
              + revision
              + " waits: pre-flight compares with stable revision "
              + s.stableRevision
              + " ("
              + s.stableHash
              + "), but "
              + Tracks.finding(state, Track.STABLE));
      return Step.rest(RolloutPhase.Validating, Requeue.VALIDATION_RETRY);
    }
    if (s.stableRevision == null) {
      Optional<String> serving = podServingARevision(state);
      if (serving.isPresent()) {
        String held =
            "revision "
                + revision
                + " is not shipped to every pod at once: "
                + serving.get()
                + " and no track holds it; restore "
                + Track.STABLE.nameFor(state.name())
                + " or remove the pods' configguard.io/revision annotations";
        if (!held.equals(s.message)) {
          state.message(held);
          state.warning("FirstRevisionHeld", held);
        }
        return Step.rest(RolloutPhase.Validating, null);
      }
    }
    Verdict verdict = Preflight.check(state, source.get(), content);
    if (verdict.denied()) {
      return fail(state, "pre-flight: " + lines(verdict.with(Enforcement.Deny)));
    }
    List<Violation> warnings = verdict.with(Enforcement.Warn);
    if (!warnings.isEmpty()) {
      state.warning(
          "PreflightWarning", "revision " + revision + " pre-flight warnings: " + lines(warnings));
    }
    try {
      if (s.stableRevision == null) {
        Tracks.write(state, Track.STABLE, revision, hash, content);
        Tracks.write(state, Track.CANDIDATE, revision, hash, content);
        return Outcomes.succeeded(
            state,
            "revision "
                + revision
                + " is stable: the first revision passed pre-flight and is not staged");
      }
      Tracks.write(state, Track.CANDIDATE, revision, hash, content);
    } catch (Cluster.Refused refused) {
      if (refused.why() == Cluster.Refused.Why.DENIED) {
        return fail(state, "writing the candidate was denied: " + refused.getMessage());
      }
      state.message("revision " + revision + ": " + refused.getMessage());
      return Step.rest(RolloutPhase.Validating, Requeue.VALIDATION_RETRY);
    }
    state.stageCandidate();
    state.message(
        "revision "
            + revision
            + " passed pre-flight and is staged in "
            + Track.CANDIDATE.nameFor(state.name()));
    state.normal("Staged", s.message);
    // The status records the staged revision before any pod points at it: an operator restarted
    // in between would find pods on a number the status does not know and point them back.
    return Step.rest(RolloutPhase.Progressing, Requeue.NOW);
  }

  /**
   * A selected pod that already serves a revision of this rollout's name (a GuardedRollout deleted
   * and re-created without its released -stable): a first revision would reach it at once.
   */
  private static Optional<String> podServingARevision(RolloutState state) {
    return state.selectedPods().stream()
        .filter(
            p -> {
              Map<String, String> a = PodHealth.annotations(p);
              String claim = a.get(RolloutKeys.ROLLOUT);
              String revision = a.get(RolloutKeys.REVISION);
              return revision != null
                  && !revision.isBlank()
                  && (claim == null || claim.equals(state.name()));
            })
        .findFirst()
        .map(
            p ->
                "pod "
                    + p.getMetadata().getName()
                    + " already serves revision "
                    + PodHealth.annotations(p).get(RolloutKeys.REVISION));
  }

  private static Step fail(RolloutState state, String reason) {
    GuardedRolloutStatus s = state.status();
    long revision = s.candidateRevision;
    Outcomes.failed(state, reason, RolloutPhase.Failed);
    state.message("revision " + revision + " failed, no pod touched: " + reason);
    state.warning("PreflightFailed", s.message);
    return Step.rest(RolloutPhase.Failed, Requeue.NOW);
  }

  private static String lines(List<Violation> violations) {
    return violations.stream().map(Violation::line).collect(Collectors.joining("; "));
  }
}
