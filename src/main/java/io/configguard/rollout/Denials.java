package io.configguard.rollout;

import io.configguard.api.GuardedRolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Back-off for pod moves that something denied on their merits (an admission controller such as
 * Kyverno, Gatekeeper or a configguard policy on Pods; RBAC). Unlike a stale view, the same patch
 * will meet the same denial, so it is not retried at once: the n-th consecutive denial waits 2 s ×
 * 2^(n-1), at most 5 minutes ({@link Requeue#afterDenials}), counted in the status so that neither
 * pod events (which wake the rollout often) nor an operator restart shortens it. The denial's text
 * is in the status and in one Event whose count grows. After {@link #MAX} denials of a move to a
 * candidate, the revision rolls back as an unhealthy pod would roll it back.
 */
final class Denials {
  /** Denied attempts after which a candidate rolls back: about four minutes of back-off. */
  static final int MAX = 8;

  private Denials() {}

  /** While a back-off holds: how long until the next attempt is due. */
  static Optional<Duration> holding(RolloutState state) {
    GuardedRolloutStatus s = state.status();
    if (s.deniedMoves == null || s.lastDeniedAt == null) {
      return Optional.empty();
    }
    Instant due = Instant.parse(s.lastDeniedAt).plus(Requeue.afterDenials(s.deniedMoves));
    return state.now().isBefore(due)
        ? Optional.of(Duration.between(state.now(), due))
        : Optional.empty();
  }

  /**
   * Records one more denied attempt: the count, the time and the denial's text in the status, and a
   * Warning Event that repeats word for word while the denial does (so it aggregates).
   *
   * @return the number of consecutive denials
   */
  static int record(RolloutState state, PodMover.Result.Denied denied, String target) {
    int n = state.recordDenial("pod " + denied.pod() + ": " + denied.reason());
    state.warning(
        "MoveDenied",
        "pointing pod " + denied.pod() + " at " + target + " was denied: " + denied.reason());
    return n;
  }

  /** A line for the status message: the n-th denial and when the next attempt is. */
  static String describe(GuardedRolloutStatus s) {
    return s.deniedMoves
        + " denied move"
        + (s.deniedMoves == 1 ? "" : "s")
        + ", next attempt at "
        + Instant.parse(s.lastDeniedAt).plus(Requeue.afterDenials(s.deniedMoves))
        + ": "
        + s.lastDenial;
  }
}
