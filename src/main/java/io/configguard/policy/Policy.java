package io.configguard.policy;

import io.configguard.api.Enforcement;
import io.configguard.api.Format;
import io.configguard.api.Operation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A compiled policy: its match conditions and its checks. Immutable and thread-safe. */
public final class Policy {
  private final PolicyRef ref;
  private final Enforcement enforcement;
  private final PolicyMatch match;
  private final List<CompiledRule> rules;
  private final Limits limits;
  private final Parsers parsers;
  private final Exceptions exceptions;

  Policy(
      PolicyRef ref,
      Enforcement enforcement,
      PolicyMatch match,
      List<CompiledRule> rules,
      Limits limits,
      Parsers parsers,
      Exceptions exceptions) {
    this.ref = ref;
    this.enforcement = enforcement;
    this.match = match;
    this.rules = List.copyOf(rules);
    this.limits = limits;
    this.parsers = parsers;
    this.exceptions = exceptions;
  }

  public PolicyRef ref() {
    return ref;
  }

  public Enforcement enforcement() {
    return enforcement;
  }

  /**
   * Kinds this policy can match, for indexing (ConfigMap when match.resources is empty). Group,
   * version and kind may each be "*".
   */
  public List<ObjectKind> kinds() {
    return match.kinds();
  }

  /** Operations this policy applies to (CREATE and UPDATE unless match.operations says else). */
  public Set<Operation> operations() {
    return match.operations();
  }

  /** Whether the target is in scope: kind, operation, names, selectors, namespace. */
  public boolean matches(Target target) {
    return match.matches(target);
  }

  /** The unexpired exception covering the target at {@code now}, if any. */
  public Optional<Exemption> exemption(Target target, Instant now) {
    return exceptions.exempting(ref.id(), target, now);
  }

  /** The bounds this policy was compiled with. */
  public Limits limits() {
    return limits;
  }

  /** Names of the rules, in order. */
  public List<String> ruleNames() {
    return rules.stream().map(CompiledRule::name).toList();
  }

  /**
   * Every violation of every rule; bounded in time, depth and cost; never throws to deny. Does not
   * check {@link #matches}: callers evaluate only targets in scope.
   */
  public List<Violation> evaluate(Target target) {
    return evaluate(new Documents(target, System.nanoTime() + limits.timeBudget().toNanos()));
  }

  List<Violation> evaluate(Documents documents) {
    List<Violation> out = new ArrayList<>();
    Evaluation ev = new Evaluation(this, documents);
    Findings.Factory findings = new Findings.Factory(out, ref.id(), enforcement);
    try (Deadline.Scope scope = Deadline.enter(documents.deadline())) {
      evaluate(documents, ev, findings, out);
    }
    return out;
  }

  private void evaluate(
      Documents documents, Evaluation ev, Findings.Factory findings, List<Violation> out) {
    for (CompiledRule rule : rules) {
      long start = System.nanoTime();
      try {
        rule.evaluate(ev, findings);
      } catch (BudgetExceeded e) {
        documents.spent(ref.id(), rule.name(), System.nanoTime() - start);
        out.add(overBudget(documents, rule, timeBudget(documents)));
        break;
      } catch (OverBudget e) {
        out.add(overBudget(documents, rule, e.getMessage()));
      } catch (RuntimeException | StackOverflowError e) {
        // Fail closed: a bug or an input nobody foresaw denies with a reason, it never crashes.
        out.add(new Violation(ref.id(), rule.name(), enforcement, "", "evaluation failed: " + e));
      } finally {
        documents.spent(ref.id(), rule.name(), System.nanoTime() - start);
      }
    }
  }

  /**
   * The time budget's overrun, blamed on the rule that ran longest: a rule that spent the budget in
   * one long call is named, not the next rule that looked at the clock. The violation belongs to
   * that rule when it is one of this policy's, else to the rule that stopped, naming the other.
   */
  private String timeBudget(Documents documents) {
    String spender = documents.spender();
    String spent = documents.spentNanos() / 1_000_000 + " ms";
    return "evaluation exceeded time budget of "
        + limits.timeBudget().toMillis()
        + " ms ("
        + spender
        + " ran "
        + spent
        + ")";
  }

  private Violation overBudget(Documents documents, CompiledRule stopped, String message) {
    String spender = documents.spender();
    String rule = stopped.name();
    if (message.startsWith("evaluation exceeded time budget")
        && spender.startsWith(ref.id() + "/")
        && ruleNames().contains(spender.substring(ref.id().length() + 1))) {
      rule = spender.substring(ref.id().length() + 1);
    }
    Violation v = new Violation(ref.id(), rule, enforcement, "", message);
    documents.overrun(v);
    return v;
  }

  Parsers parsers() {
    return parsers;
  }

  /** The format the first rule with a format gives this ConfigMap key, or null. */
  Format formatOf(String key) {
    for (CompiledRule rule : rules) {
      Glob keys = rule.formattedKeys();
      if (keys != null && keys.matches(key)) {
        return rule.format();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return ref.kind() + " " + ref.id();
  }
}
