package io.configguard.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** An immutable set of compiled policies, indexed by kind so a target meets only its own. */
public final class PolicySet {
  public static final PolicySet EMPTY = new PolicySet(List.of());

  private final List<Policy> policies;
  // "group/kind" (either may be "*") -> positions in policies, ascending.
  private final Map<String, int[]> index;

  private PolicySet(List<Policy> policies) {
    this.policies = List.copyOf(policies);
    Map<String, List<Integer>> byKind = new HashMap<>();
    for (int i = 0; i < this.policies.size(); i++) {
      for (ObjectKind kind : this.policies.get(i).kinds()) {
        List<Integer> positions =
            byKind.computeIfAbsent(kind.group() + "/" + kind.kind(), k -> new ArrayList<>());
        if (positions.isEmpty() || positions.get(positions.size() - 1) != i) {
          positions.add(i);
        }
      }
    }
    Map<String, int[]> frozen = new HashMap<>();
    byKind.forEach((k, v) -> frozen.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    this.index = Map.copyOf(frozen);
  }

  public static PolicySet of(Collection<Policy> policies) {
    return new PolicySet(List.copyOf(policies));
  }

  public List<Policy> matching(Target target) {
    String group = target.kind().group();
    String kind = target.kind().kind();
    TreeSet<Integer> candidates = new TreeSet<>();
    for (String key : new String[] {group + "/" + kind, group + "/*", "*/" + kind, "*/*"}) {
      int[] positions = index.get(key);
      if (positions != null) {
        for (int p : positions) {
          candidates.add(p);
        }
      }
    }
    List<Policy> out = new ArrayList<>(candidates.size());
    for (int p : candidates) {
      Policy policy = policies.get(p);
      if (policy.matches(target)) {
        out.add(policy);
      }
    }
    return out;
  }

  /**
   * Evaluates the target against every matching policy, within {@link Limits#timeBudget()}: one
   * budget for the whole target, so a slow policy makes the later ones report the budget too.
   */
  public Verdict evaluate(Target target) {
    return evaluate(target, Instant.now());
  }

  /**
   * As {@link #evaluate(Target)}, at time {@code now}: a policy with an exception covering the
   * target that has not expired by then is skipped and reported as an {@link Exemption}.
   */
  public Verdict evaluate(Target target, Instant now) {
    List<Policy> matching = new ArrayList<>();
    List<Exemption> exemptions = new ArrayList<>();
    for (Policy policy : matching(target)) {
      policy.exemption(target, now).ifPresentOrElse(exemptions::add, () -> matching.add(policy));
    }
    if (matching.isEmpty()) {
      return exemptions.isEmpty() ? Verdict.CLEAN : new Verdict(List.of(), exemptions);
    }
    Duration budget =
        matching.stream().map(p -> p.limits().timeBudget()).min(Duration::compareTo).orElseThrow();
    Documents documents = new Documents(target, System.nanoTime() + budget.toNanos());
    List<Violation> violations = new ArrayList<>();
    for (Policy policy : matching) {
      violations.addAll(policy.evaluate(documents));
    }
    return violations.isEmpty() && exemptions.isEmpty()
        ? Verdict.CLEAN
        : new Verdict(List.copyOf(violations), List.copyOf(exemptions));
  }

  public int size() {
    return policies.size();
  }

  public List<Policy> policies() {
    return policies;
  }
}
