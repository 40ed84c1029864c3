package io.configguard.policy;

import io.configguard.api.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A compiled Kubernetes label selector: matchLabels and In/NotIn/Exists/DoesNotExist. */
final class LabelSelector {
  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private record Requirement(String key, String operator, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> labels.containsKey(key);
        default -> !labels.containsKey(key);
      };
    }
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Compiles a selector; every problem is added to {@code reasons} under {@code field}. */
  static LabelSelector compile(Selector selector, String field, List<String> reasons) {
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
        if (r.key == null || r.key.isEmpty()) {
          reasons.add(at + ".key: required");
        }
        if (r.operator == null
            || !Set.of("In", "NotIn", "Exists", "DoesNotExist").contains(r.operator)) {
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
        } else if (r.key != null && !r.key.isEmpty()) {
          requirements.add(new Requirement(r.key, r.operator, Set.copyOf(values)));
        }
      }
    }
    return requirements.isEmpty() ? EVERYTHING : new LabelSelector(List.copyOf(requirements));
  }

  boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  boolean isEverything() {
    return requirements.isEmpty();
  }
}
