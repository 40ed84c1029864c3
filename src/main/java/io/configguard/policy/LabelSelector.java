package io.configguard.policy;

import io.configguard.api.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Kubernetes label selector with Kubernetes' semantics (matchLabels and In, NotIn, Exists,
 * DoesNotExist), the one used by policies, freezes and GuardedRollouts: whether labels match,
 * whether two selectors can select the same object, and every problem of a selector by field.
 */
public final class LabelSelector {
  /** Selects everything: no selector, or one without requirements. */
  public static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);

  /** Selects nothing: what an invalid selector selects. */
  static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private record Requirement(String key, String operator, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        default -> value == null; // a null value (a label being pruned) is no label
      };
    }
  }

  private final List<Requirement> requirements;
  private final boolean nothing;

  private LabelSelector(List<Requirement> requirements, boolean nothing) {
    this.requirements = requirements;
    this.nothing = nothing;
  }

  /** Compiles a selector; every problem is added to {@code reasons} under {@code field}. */
  public static LabelSelector compile(Selector selector, String field, List<String> reasons) {
    if (selector == null) {
      return EVERYTHING;
    }
    List<Requirement> requirements = new ArrayList<>();
    if (selector.matchLabels != null) {
      selector.matchLabels.forEach(
          (key, value) -> {
            if (key == null || key.isEmpty()) {
              reasons.add(field + ".matchLabels: empty label key");
            } else if (value == null) {
              reasons.add(field + ".matchLabels." + key + ": value is required");
            } else {
              requirements.add(new Requirement(key, "In", Set.of(value)));
            }
          });
    }
    if (selector.matchExpressions != null) {
      for (int i = 0; i < selector.matchExpressions.size(); i++) {
        String at = field + ".matchExpressions[" + i + "]";
        Selector.Requirement r = selector.matchExpressions.get(i);
        if (r == null) {
          reasons.add(at + ": empty requirement");
          continue;
        }
        List<String> values = r.values == null ? List.of() : r.values;
        boolean keyed = r.key != null && !r.key.isBlank();
        if (!keyed) {
          reasons.add(at + ".key: required");
        }
        if (r.operator == null) {
          reasons.add(at + ".operator: required (In, NotIn, Exists, DoesNotExist)");
          continue;
        }
        if (!OPERATORS.contains(r.operator)) {
          reasons.add(
              at
                  + ".operator: \""
                  + r.operator
                  + "\" is not one of In, NotIn, Exists, DoesNotExist");
          continue;
        }
        boolean needsValues = r.operator.equals("In") || r.operator.equals("NotIn");
        if (needsValues && values.isEmpty()) {
          reasons.add(at + ".values: required for " + r.operator);
        } else if (!needsValues && !values.isEmpty()) {
          reasons.add(at + ".values: must be empty for " + r.operator);
        } else if (values.stream().anyMatch(Objects::isNull)) {
          reasons.add(at + ".values: null value");
        } else if (keyed) {
          requirements.add(new Requirement(r.key, r.operator, Set.copyOf(values)));
        }
      }
    }
    return requirements.isEmpty()
        ? EVERYTHING
        : new LabelSelector(List.copyOf(requirements), false);
  }

  /**
   * The selector for matching, as the API server would: no selector (or an empty one) selects
   * everything, an invalid one selects nothing.
   */
  public static LabelSelector of(Selector selector) {
    List<String> reasons = new ArrayList<>();
    LabelSelector compiled = compile(selector, "selector", reasons);
    return reasons.isEmpty() ? compiled : NOTHING;
  }

  /** Every problem of the selector, each naming its field under {@code field}. */
  public static List<String> validate(Selector selector, String field) {
    List<String> reasons = new ArrayList<>();
    compile(selector, field, reasons);
    return reasons;
  }

  /** Whether the labels (null: none) satisfy the selector. */
  public boolean matches(Map<String, String> labels) {
    if (nothing) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    for (Requirement r : requirements) {
      if (!r.matches(have)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether some set of labels satisfies both selectors, i.e. one object could be selected by both.
   * Keys are independent, so it is enough that each key's combined requirements can be met.
   */
  public boolean overlaps(LabelSelector other) {
    if (nothing || other.nothing) {
      return false;
    }
    Map<String, Set<String>> allowed = new HashMap<>();
    Map<String, Set<String>> excluded = new HashMap<>();
    Set<String> present = new HashSet<>();
    Set<String> absent = new HashSet<>();
    for (LabelSelector s : List.of(this, other)) {
      for (Requirement r : s.requirements) {
        switch (r.operator) {
          case "In" ->
              allowed.merge(
                  r.key,
                  new HashSet<>(r.values),
                  (have, more) -> {
                    have.retainAll(more);
                    return have;
                  });
          case "NotIn" -> excluded.computeIfAbsent(r.key, k -> new HashSet<>()).addAll(r.values);
          case "Exists" -> present.add(r.key);
          default -> absent.add(r.key);
        }
      }
    }
    for (String key : absent) {
      if (present.contains(key) || allowed.containsKey(key)) {
        return false;
      }
    }
    for (Map.Entry<String, Set<String>> e : allowed.entrySet()) {
      Set<String> left = new HashSet<>(e.getValue());
      left.removeAll(excluded.getOrDefault(e.getKey(), Set.of()));
      if (left.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Whether it has no requirements, so selects everything. */
  public boolean isEverything() {
    return !nothing && requirements.isEmpty();
  }
}
