package io.configguard.rollout;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutStrategy;
import io.configguard.policy.LabelSelector;
import io.configguard.rollout.DerivedConfigMaps.Track;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    if (spec == null) {
      return errors;
    }
    errors.addAll(derivedSources(name, spec, others));
    LabelSelector selector = LabelSelector.of(spec.selector);
    if (selector.isEverything() || selector.matches(Map.of())) {
      return errors;
    }
    for (GuardedRollout other : others) {
      String otherName = other.getMetadata().getName();
      if (!otherName.equals(name)
          && other.getSpec() != null
          && !LabelSelector.of(other.getSpec().selector).isEverything()
          && selector.overlaps(LabelSelector.of(other.getSpec().selector))) {
        errors.add(
            "spec.selector: overlaps the selector of GuardedRollout "
                + otherName
                + " (a pod could be selected by both)");
      }
    }
    return errors;
  }

  /**
   * A GuardedRollout's source must not be a ConfigMap some GuardedRollout derives, nor may its own
   * derived ConfigMaps be another's source: the operator filters the events of its own writes, so
   * such a source would wait for changes it never hears of, and its reserved key would fail it.
   */
  private static List<String> derivedSources(
      String name, GuardedRolloutSpec spec, List<GuardedRollout> others) {
    List<String> errors = new ArrayList<>();
    String source = spec.sourceRef == null ? null : spec.sourceRef.name;
    List<String> rollouts = new ArrayList<>();
    rollouts.add(name);
    others.stream().map(o -> o.getMetadata().getName()).forEach(rollouts::add);
    for (String rollout : rollouts) {
      for (Track track : Track.values()) {
        if (track.nameFor(rollout).equals(source)) {
          errors.add(
              "spec.sourceRef.name: "
                  + source
                  + " is the "
                  + track.suffix
                  + " ConfigMap of GuardedRollout "
                  + rollout
                  + ", which the operator writes; name the ConfigMap the generator writes");
        }
      }
    }
    for (GuardedRollout other : others) {
      GuardedRolloutSpec theirs = other.getSpec();
      String otherName = other.getMetadata().getName();
      if (otherName.equals(name) || theirs == null || theirs.sourceRef == null) {
        continue;
      }
      for (Track track : Track.values()) {
        if (track.nameFor(name).equals(theirs.sourceRef.name)) {
          errors.add(
              "metadata.name: GuardedRollout "
                  + otherName
                  + " takes "
                  + theirs.sourceRef.name
                  + " as its source, which would be this rollout's "
                  + track.suffix
                  + " ConfigMap");
        }
      }
    }
    return errors;
  }

  /**
   * Advice that does not make the spec invalid: a {@code maxUnhealthyPods} that is not below the
   * number of pods the selector matches now can never roll a revision back.
   *
   * @param selectedPods pods the selector matches now, or a negative number when unknown
   */
  public static List<String> warnings(GuardedRolloutSpec spec, int selectedPods) {
    List<String> warnings = new ArrayList<>();
    Integer max = spec == null || spec.strategy == null ? null : spec.strategy.maxUnhealthyPods;
    if (max != null && selectedPods > 0 && max >= selectedPods) {
      warnings.add(
          "spec.strategy.maxUnhealthyPods: "
              + max
              + " is not below the "
              + selectedPods
              + " pods the selector matches now: no number of unhealthy pods would roll a"
              + " revision back");
    }
    return warnings;
  }

  public static List<String> errors(GuardedRolloutSpec spec) {
    List<String> errors = new ArrayList<>();
    if (spec == null) {
      return List.of("spec: required");
    }
    if (spec.sourceRef == null || spec.sourceRef.name == null || spec.sourceRef.name.isBlank()) {
      errors.add("spec.sourceRef.name: required");
    }
    if (LabelSelector.of(spec.selector).isEverything()) {
      errors.add("spec.selector: required and not empty (it would select every pod)");
    } else {
      List<String> invalid = LabelSelector.validate(spec.selector, "spec.selector");
      errors.addAll(invalid);
      if (invalid.isEmpty() && LabelSelector.of(spec.selector).matches(Map.of())) {
        // Judged by what it selects: NotIn and DoesNotExist alone select every pod without the
        // label, as {} selects every pod.
        errors.add(
            "spec.selector: selects a pod with no labels at all, so like {} it selects every pod"
                + " of the namespace that lacks the labels it excludes; add a matchLabels, In or"
                + " Exists requirement");
      }
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
