package io.configguard.rollout;

import io.configguard.api.ConfigFreeze;
import io.configguard.policy.LabelSelector;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Which ConfigFreeze, if any, halts rollouts in a namespace. */
final class Freezes {
  private Freezes() {}

  /**
   * The first freeze (by name) whose namespaceSelector matches the namespace's labels; the labels
   * are looked up only when there is a freeze at all.
   */
  public static Optional<ConfigFreeze> matching(
      List<ConfigFreeze> freezes, Supplier<Map<String, String>> namespaceLabels) {
    if (freezes.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels = namespaceLabels.get();
    return freezes.stream()
        .filter(f -> f.getMetadata().getDeletionTimestamp() == null)
        .filter(
            f ->
                LabelSelector.of(f.getSpec() == null ? null : f.getSpec().namespaceSelector)
                    .matches(labels))
        .min(Comparator.comparing(f -> f.getMetadata().getName()));
  }

  public static String reasonOf(ConfigFreeze freeze) {
    String reason = freeze.getSpec() == null ? null : freeze.getSpec().reason;
    return reason == null || reason.isBlank() ? "no reason given" : reason;
  }
}
