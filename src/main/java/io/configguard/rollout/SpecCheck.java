package io.configguard.rollout;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutStrategy;
import java.util.ArrayList;
import java.util.List;

/** Every reason a GuardedRollout spec cannot be acted on, each naming its field. */
public final class SpecCheck {
  private SpecCheck() {}

  /**
   * The reasons of {@link #errors(GuardedRolloutSpec)}, plus one for each other GuardedRollout in
   * the namespace whose selector could select the same pods (two rollouts must never fight over a
   * pod).
   *
   * @param name this rollout's name, so an update does not overlap its own old version
   */
  public static List<String> errors(
      String name, GuardedRolloutSpec spec, List<GuardedRollout> others) {
    List<String> errors = new ArrayList<>(errors(spec));
    if (spec == null || Selectors.isEmpty(spec.selector)) {
      return errors;
    }
    for (GuardedRollout other : others) {
      String otherName = other.getMetadata().getName();
      if (!otherName.equals(name)
          && other.getSpec() != null
          && !Selectors.isEmpty(other.getSpec().selector)
          && Selectors.overlap(spec.selector, other.getSpec().selector)) {
        errors.add(
            "spec.selector: overlaps the selector of GuardedRollout "
                + otherName
                + " (a pod could be selected by both)");
      }
    }
    return errors;
  }

  public static List<String> errors(GuardedRolloutSpec spec) {
    List<String> errors = new ArrayList<>();
    if (spec == null) {
      return List.of("spec: required");
    }
    if (spec.sourceRef == null || spec.sourceRef.name == null || spec.sourceRef.name.isBlank()) {
      errors.add("spec.sourceRef.name: required");
    }
    if (Selectors.isEmpty(spec.selector)) {
      errors.add("spec.selector: required and not empty (it would select every pod)");
    } else {
      errors.addAll(Selectors.validate(spec.selector, "spec.selector"));
    }
    RolloutStrategy strategy = spec.strategy == null ? new RolloutStrategy() : spec.strategy;
    try {
      BatchPlanner.parse(strategy.steps);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    if (strategy.bakeSeconds != null && strategy.bakeSeconds < 0) {
      errors.add("spec.strategy.bakeSeconds: must be 0 or more");
    }
    if (strategy.maxUnhealthyPods != null && strategy.maxUnhealthyPods < 0) {
      errors.add("spec.strategy.maxUnhealthyPods: must be 0 or more");
    }
    if (strategy.maxFailedRevisions != null && strategy.maxFailedRevisions < 1) {
      errors.add("spec.strategy.maxFailedRevisions: must be 1 or more");
    }
    HttpGetCheck http = spec.healthCheck == null ? null : spec.healthCheck.httpGet;
    if (http != null) {
      if (http.port == null || http.port < 1 || http.port > 65535) {
        errors.add("spec.healthCheck.httpGet.port: required, 1-65535");
      }
      if (http.path != null && !http.path.startsWith("/")) {
        errors.add("spec.healthCheck.httpGet.path: must start with /");
      }
    }
    return errors;
  }
}
