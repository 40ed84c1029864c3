package io.configguard.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns a strategy's steps and the number of selected pods into cumulative pod targets. */
final class BatchPlanner {
  private static final Pattern COUNT = Pattern.compile("[1-9][0-9]{0,8}");
  private static final Pattern PERCENT = Pattern.compile("([1-9][0-9]?|100)%");

  private BatchPlanner() {}

  /**
   * One step of a strategy: a pod count or a percentage of the selected pods.
   *
   * @param value the count, or the percentage (1-100)
   * @param percent whether value is a percentage
   */
  public record StepSize(int value, boolean percent) {
    public static final StepSize ALL = new StepSize(100, true);

    /** Pods this step asks for out of {@code total}, rounded up. */
    public int podsOf(int total) {
      return percent ? (int) ((value * (long) total + 99) / 100) : value;
    }

    @Override
    public String toString() {
      return percent ? value + "%" : Integer.toString(value);
    }
  }

  /**
   * Parses steps such as {@code ["1", "10%", "100%"]}. A last step other than 100% is followed by
   * an implicit 100%: promotion writes the stable ConfigMap every pod reads, so every pod must have
   * passed the gate first.
   *
   * @throws IllegalArgumentException naming each bad step, e.g. {@code spec.strategy.steps[1]}
   */
  public static List<StepSize> parse(List<String> steps) {
    List<String> errors = new ArrayList<>();
    List<StepSize> sizes = new ArrayList<>();
    if (steps == null || steps.isEmpty()) {
      return List.of(StepSize.ALL);
    }
    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i) == null ? "" : steps.get(i).trim();
      if (COUNT.matcher(step).matches()) {
        sizes.add(new StepSize(Integer.parseInt(step), false));
      } else if (PERCENT.matcher(step).matches()) {
        sizes.add(new StepSize(Integer.parseInt(step.substring(0, step.length() - 1)), true));
      } else {
        errors.add(
            "spec.strategy.steps["
                + i
                + "]: \""
                + step
                + "\" is neither a pod count (\"3\") nor a percentage from 1% to 100% (\"10%\")");
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    if (!sizes.get(sizes.size() - 1).equals(StepSize.ALL)) {
      sizes.add(StepSize.ALL);
    }
    return List.copyOf(sizes);
  }

  /**
   * Cumulative number of pods on the candidate after each step: rounded up, at least one more pod
   * than the step before, never more than {@code pods}. Steps that cannot add a pod (more steps
   * than pods) repeat the previous target.
   */
  public static List<Integer> targets(List<StepSize> steps, int pods) {
    List<Integer> targets = new ArrayList<>(steps.size());
    int previous = 0;
    for (StepSize step : steps) {
      int target = Math.min(pods, Math.max(step.podsOf(pods), previous + 1));
      targets.add(target);
      previous = target;
    }
    return List.copyOf(targets);
  }
}
