package io.configguard.rollout;

import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Optional;
import java.util.OptionalLong;

/** Hands out revision numbers: each is higher than any number seen in status or either track. */
final class Revisions {
  private Revisions() {}

  /**
   * The number for new content {@code hash}. If the candidate ConfigMap already holds this very
   * content under a number the status has not recorded (the operator stopped between writing it and
   * patching status), that number is taken again, so a restart does not re-stage under a new number
   * pods do not point at.
   */
  public static long next(
      GuardedRolloutStatus s,
      Optional<ConfigMap> stable,
      Optional<ConfigMap> candidate,
      String hash) {
    long inStatus = max(0, s.latestRevision, s.stableRevision, s.candidateRevision);
    if (s.failedRevisions != null) {
      for (FailedRevision f : s.failedRevisions) {
        inStatus = max(inStatus, f.revision);
      }
    }
    long onStable =
        stable.map(DerivedConfigMaps::revisionOf).orElse(OptionalLong.empty()).orElse(0);
    long onCandidate =
        candidate.map(DerivedConfigMaps::revisionOf).orElse(OptionalLong.empty()).orElse(0);
    if (candidate.isPresent()
        && onCandidate > inStatus
        && onCandidate > onStable
        && hash.equals(DerivedConfigMaps.hashOf(candidate.get()).orElse(null))) {
      return onCandidate;
    }
    return Math.max(inStatus, Math.max(onStable, onCandidate)) + 1;
  }

  private static long max(long start, Long... values) {
    long m = start;
    for (Long v : values) {
      if (v != null && v > m) {
        m = v;
      }
    }
    return m;
  }
}
