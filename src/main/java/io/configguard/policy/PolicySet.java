package io.configguard.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable set of compiled policies, indexed by namespace and kind so a target meets only the
 * policies that could match it: a thousand teams' ConfigPolicies cost a ConfigMap nothing but the
 * ones of its own namespace.
 */
public final class PolicySet {
  public static final PolicySet EMPTY = new PolicySet(List.of());

  private static final String[] NO_NAMESPACE = {""};

  private final List<Policy> policies;
  // "namespace|group/kind" (namespace "" for cluster policies; group or kind may be "*") ->
  // positions in policies, ascending.
  private final Map<String, int[]> index;

  private PolicySet(List<Policy> policies) {
    this.policies = List.copyOf(policies);
    Map<String, List<Integer>> byKey = new HashMap<>();
    for (int i = 0; i < this.policies.size(); i++) {
      Policy policy = this.policies.get(i);
      for (ObjectKind kind : policy.kinds()) {
        List<Integer> positions =
            byKey.computeIfAbsent(
                key(policy.ref().namespace(), kind.group(), kind.kind()), k -> new ArrayList<>());
        if (positions.isEmpty() || positions.get(positions.size() - 1) != i) {
          positions.add(i);
        }
      }
    }
    Map<String, int[]> frozen = new HashMap<>();
    byKey.forEach((k, v) -> frozen.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    this.index = Map.copyOf(frozen);
  }

  private static String key(String namespace, String group, String kind) {
    return (namespace == null ? "" : namespace) + "|" + group + "/" + kind;
  }

  public static PolicySet of(Collection<Policy> policies) {
    return new PolicySet(List.copyOf(policies));
  }

  /** The policies that match the target, in the order of the set. */
  public List<Policy> matching(Target target) {
    String group = target.kind().group();
    String kind = target.kind().kind();
    BitSet candidates = new BitSet(policies.size());
    for (String namespace :
        target.namespace() == null ? NO_NAMESPACE : new String[] {"", target.namespace()}) {
      for (String[] gk : new String[][] {{group, kind}, {group, "*"}, {"*", kind}, {"*", "*"}}) {
        int[] positions = index.get(key(namespace, gk[0], gk[1]));
        if (positions != null) {
          for (int p : positions) {
            candidates.set(p);
          }
        }
      }
    }
    List<Policy> out = new ArrayList<>();
    for (int p = candidates.nextSetBit(0); p >= 0; p = candidates.nextSetBit(p + 1)) {
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
        : new Verdict(
            List.copyOf(violations), List.copyOf(exemptions), List.copyOf(documents.overruns()));
  }

  public int size() {
    return policies.size();
  }

  public List<Policy> policies() {
    return policies;
  }
}
