package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds selected pods that another GuardedRollout has already moved (claimed). */
final class Claims {
  private Claims() {}

  /**
   * A pod claimed by another existing GuardedRollout of the namespace. A claim naming a rollout
   * that no longer exists is stale and does not block.
   *
   * @param rollout the other rollout's name
   * @param pod the claimed pod's name
   */
  public record Foreign(String rollout, String pod) {}

  public static Optional<Foreign> find(RolloutState state, List<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(
            p ->
                new Foreign(
                    PodHealth.annotations(p).get(RolloutKeys.ROLLOUT), p.getMetadata().getName()))
        .filter(f -> f.rollout() != null && !f.rollout().equals(state.name()))
        .filter(f -> state.cluster().rolloutExists(state.namespace(), f.rollout()))
        .findFirst();
  }
}
