package io.configguard.rollout;

import io.configguard.api.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Label selector matching and validation, with Kubernetes' semantics. */
public final class Selectors {
  private Selectors() {}

  /** Whether the labels satisfy the selector; a null or empty selector matches everything. */
  public static boolean matches(Selector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.matchLabels != null) {
      for (Map.Entry<String, String> e : selector.matchLabels.entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.matchExpressions != null) {
      for (Selector.Requirement r : selector.matchExpressions) {
        String value = have.get(r.key);
        List<String> values = r.values == null ? List.of() : r.values;
        boolean ok =
            switch (r.operator) {
              case "In" -> value != null && values.contains(value);
              case "NotIn" -> value == null || !values.contains(value);
              case "Exists" -> value != null;
              case "DoesNotExist" -> value == null;
              default -> false;
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether some set of labels satisfies both selectors, i.e. one pod could be selected by both.
   * Keys are independent, so it is enough that each key's combined requirements can be met.
   */
  public static boolean overlap(Selector a, Selector b) {
    Map<String, Set<String>> allowed = new HashMap<>();
    Map<String, Set<String>> excluded = new HashMap<>();
    Set<String> present = new HashSet<>();
    Set<String> absent = new HashSet<>();
    for (Selector s : List.of(a == null ? new Selector() : a, b == null ? new Selector() : b)) {
      if (s.matchLabels != null) {
        s.matchLabels.forEach((k, v) -> narrow(allowed, k, Set.of(v)));
      }
      if (s.matchExpressions != null) {
        for (Selector.Requirement r : s.matchExpressions) {
          List<String> values = r.values == null ? List.of() : r.values;
          switch (String.valueOf(r.operator)) {
            case "In" -> narrow(allowed, r.key, Set.copyOf(values));
            case "NotIn" -> excluded.computeIfAbsent(r.key, k -> new HashSet<>()).addAll(values);
            case "Exists" -> present.add(r.key);
            case "DoesNotExist" -> absent.add(r.key);
            default -> {
              return false; // an invalid selector selects nothing
            }
          }
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

  private static void narrow(Map<String, Set<String>> allowed, String key, Set<String> values) {
    allowed.merge(
        key,
        new HashSet<>(values),
        (have, more) -> {
          have.retainAll(more);
          return have;
        });
  }

  public static boolean isEmpty(Selector selector) {
    return selector == null
        || ((selector.matchLabels == null || selector.matchLabels.isEmpty())
            && (selector.matchExpressions == null || selector.matchExpressions.isEmpty()));
  }

  /** Every problem of the selector, each naming its field under {@code field}. */
  public static List<String> validate(Selector selector, String field) {
    List<String> errors = new ArrayList<>();
    if (selector == null || selector.matchExpressions == null) {
      return errors;
    }
    for (int i = 0; i < selector.matchExpressions.size(); i++) {
      Selector.Requirement r = selector.matchExpressions.get(i);
      String at = field + ".matchExpressions[" + i + "]";
      boolean hasValues = r.values != null && !r.values.isEmpty();
      if (r.key == null || r.key.isBlank()) {
        errors.add(at + ".key: required");
      }
      if (r.operator == null) {
        errors.add(at + ".operator: required (In, NotIn, Exists, DoesNotExist)");
      } else {
        switch (r.operator) {
          case "In", "NotIn" -> {
            if (!hasValues) {
              errors.add(at + ".values: required for " + r.operator);
            }
          }
          case "Exists", "DoesNotExist" -> {
            if (hasValues) {
              errors.add(at + ".values: must be empty for " + r.operator);
            }
          }
          default ->
              errors.add(
                  at
                      + ".operator: \""
                      + r.operator
                      + "\" is not In, NotIn, Exists or DoesNotExist");
        }
      }
    }
    return errors;
  }
}
