package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import io.configguard.api.ChangeLimit;
import io.configguard.api.CountLimit;
import io.configguard.api.DuplicateKeys;
import io.configguard.api.Enforcement;
import io.configguard.api.Format;
import io.configguard.api.PolicySpec;
import io.configguard.api.Rule;
import io.configguard.api.UniqueCheck;
import io.configguard.policy.path.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a policy spec (untrusted input) into a {@link Policy}, or every reason it cannot. Each
 * reason names its field, e.g. {@code spec.rules[2].cel: 1:5: undeclared reference to 'foo'}.
 * Thread-safe; keep one per {@link Limits}.
 */
public final class PolicyCompiler {
  private final Limits limits;
  private final Parsers parsers;
  private final CelSupport cel;

  public PolicyCompiler(Limits limits) {
    this.limits = Objects.requireNonNull(limits);
    this.parsers = new Parsers(limits);
    this.cel = new CelSupport(limits);
  }

  public Policy compile(PolicyRef ref, PolicySpec spec) throws InvalidPolicyException {
    List<String> reasons = new ArrayList<>();
    if (spec == null) {
      throw new InvalidPolicyException(List.of("spec: required"));
    }
    PolicyMatch match = PolicyMatch.compile(spec.match, ref, reasons);
    List<CompiledRule> rules = new ArrayList<>();
    if (spec.rules == null || spec.rules.isEmpty()) {
      reasons.add("spec.rules: at least one rule is required");
    } else {
      boolean anyFormat = spec.rules.stream().anyMatch(r -> r != null && r.format != null);
      Map<String, Integer> names = new HashMap<>();
      for (int i = 0; i < spec.rules.size(); i++) {
        CompiledRule rule = rule(spec.rules.get(i), "spec.rules[" + i + "]", anyFormat, reasons);
        if (rule != null) {
          Integer first = names.putIfAbsent(rule.name(), i);
          if (first != null) {
            reasons.add(
                "spec.rules["
                    + i
                    + "].name: duplicate rule name \""
                    + rule.name()
                    + "\" (also spec.rules["
                    + first
                    + "])");
          }
          rules.add(rule);
        }
      }
    }
    Exceptions exceptions = Exceptions.compile(spec.exceptions, reasons);
    if (!reasons.isEmpty()) {
      throw new InvalidPolicyException(reasons);
    }
    Enforcement enforcement = spec.enforcement == null ? Enforcement.Deny : spec.enforcement;
    return new Policy(ref, enforcement, match, rules, limits, parsers, exceptions);
  }

  /**
   * Every check a rule can carry, in order: validation runs in this order, then the object checks
   * compile, then the subject checks; that is the order of checks and of reasons. A new field of
   * {@link Rule} needs its entry here (PolicyCompilerTableTest fails until it has one).
   */
  private static final List<CheckEntry<?>> CHECKS =
      List.of(
          object("maxTotalBytes", r -> r.maxTotalBytes, (v, f, c) -> new MaxTotalBytes(v, c.key()))
              .validated(PolicyCompiler::nonNegative),
          object("maxKeys", r -> r.maxKeys, (v, f, c) -> new MaxKeys(v, c.key()))
              .validated(PolicyCompiler::nonNegative),
          eachValue("maxBytes", r -> r.maxBytes, (v, f, c) -> new MaxBytes(v))
              .validated(PolicyCompiler::nonNegative),
          eachValue("format", r -> r.format, (v, f, c) -> new FormatCheck()),
          // Stricter keys for consumers that read them differently: an option of format, so
          // not a check alone; set when either of its two fields is.
          eachSubject(
                  "duplicateKeys",
                  r -> r.duplicateKeys != null || r.yaml11 != null ? r : null,
                  PolicyCompiler::consumerKeys)
              .withOptions("yaml11")
              .notStandalone(),
          eachSubject("jsonSchema", r -> r.jsonSchema, parsed(PolicyCompiler::jsonSchema)),
          eachSubject("maxItems", r -> r.maxItems, parsed(PolicyCompiler::maxItems)),
          eachSubject("unique", r -> r.unique, parsed(PolicyCompiler::unique)),
          eachSubject("maxGrowth", r -> r.maxGrowth, (v, f, c) -> change(v, f, c, true)),
          eachSubject("maxShrink", r -> r.maxShrink, (v, f, c) -> change(v, f, c, false)),
          object("immutable", r -> r.immutable, PolicyCompiler::immutable),
          object("cel", r -> r.cel, PolicyCompiler::celCheck)
              .withOptions("message")
              .validated(PolicyCompiler::messageNeedsCel));

  /** The table of checks, for tests. */
  static List<CheckEntry<?>> checks() {
    return CHECKS;
  }

  /** Where a check reads, which decides the list it joins and when it compiles. */
  enum Scope {
    /** The whole object (and old object); compiles before the subject checks. */
    OBJECT,
    /** Each subject; a rule without key or path then reads every ConfigMap value. */
    VALUES,
    /** Each subject: ConfigMap values by key, nodes at the path, or the whole object. */
    SUBJECT
  }

  /** Static validation of a rule field, run for every rule (the value may be null). */
  @FunctionalInterface
  interface Validate<T> {
    void validate(T value, String field, RuleContext c);
  }

  /** Compiles a set field into its check, or returns null after adding reasons. */
  @FunctionalInterface
  interface Compile<T> {
    Check compile(T value, String field, RuleContext c);
  }

  /**
   * One row of {@link #CHECKS}: the Rule field a check reads and the options only it reads, how to
   * read it (null when unset), how to validate it and how to compile it.
   *
   * @param standalone whether setting it alone gives a rule a check
   */
  record CheckEntry<T>(
      String field,
      List<String> options,
      Scope scope,
      boolean standalone,
      Function<Rule, T> read,
      Validate<T> validate,
      Compile<T> compile) {

    boolean isSet(Rule r) {
      return read.apply(r) != null;
    }

    CheckEntry<T> validated(Validate<T> v) {
      return new CheckEntry<>(field, options, scope, standalone, read, v, compile);
    }

    CheckEntry<T> withOptions(String... more) {
      return new CheckEntry<>(field, List.of(more), scope, standalone, read, validate, compile);
    }

    CheckEntry<T> notStandalone() {
      return new CheckEntry<>(field, options, scope, false, read, validate, compile);
    }

    private void validateRule(Rule r, RuleContext c) {
      validate.validate(read.apply(r), c.field(field), c);
    }

    private Check compileRule(Rule r, RuleContext c) {
      T value = read.apply(r);
      return value == null ? null : compile.compile(value, c.field(field), c);
    }
  }

  private static <T> CheckEntry<T> object(String field, Function<Rule, T> read, Compile<T> c) {
    return entry(field, Scope.OBJECT, read, c);
  }

  private static <T> CheckEntry<T> eachValue(String field, Function<Rule, T> read, Compile<T> c) {
    return entry(field, Scope.VALUES, read, c);
  }

  private static <T> CheckEntry<T> eachSubject(String field, Function<Rule, T> read, Compile<T> c) {
    return entry(field, Scope.SUBJECT, read, c);
  }

  private static <T> CheckEntry<T> entry(
      String field, Scope scope, Function<Rule, T> read, Compile<T> compile) {
    return new CheckEntry<>(field, List.of(), scope, true, read, (v, f, c) -> {}, compile);
  }

  /** A check of parsed values: it needs a format when the rule reads ConfigMap values. */
  private static <T> Compile<T> parsed(Compile<T> compile) {
    return (v, f, c) -> {
      c.requireParsed(f);
      return compile.compile(v, f, c);
    };
  }

  /**
   * What the checks of one rule compile against.
   *
   * @param readsValues whether the rule reads ConfigMap values (by key, or all of them)
   * @param anyFormat whether some rule of the policy sets a format
   */
  record RuleContext(
      Rule rule,
      String at,
      Glob key,
      boolean readsValues,
      boolean anyFormat,
      CelSupport cel,
      List<String> reasons) {

    String field(String name) {
      return at + "." + name;
    }

    void requireParsed(String field) {
      if (readsValues && rule.format == null && !anyFormat) {
        reasons.add(
            field
                + ": the value must be parsed; set format on this rule or on a rule for the same"
                + " key");
      }
    }
  }

  private CompiledRule rule(Rule r, String at, boolean anyFormat, List<String> reasons) {
    if (r == null) {
      reasons.add(at + ": empty rule");
      return null;
    }
    int before = reasons.size();
    if (r.name == null || r.name.isBlank()) {
      reasons.add(at + ".name: required");
    }
    if (r.key != null && r.path != null) {
      reasons.add(
          at + ": key and path are exclusive (key for ConfigMap values, path for the object)");
    }
    Glob key = null;
    if (r.key != null) {
      String problem = Glob.problem(r.key, "a ConfigMap key", Glob.CharClass.CONFIG_KEY);
      if (problem != null) {
        reasons.add(at + ".key: " + problem);
      } else {
        key = Glob.of(r.key);
      }
    }
    JsonPath path = r.path == null ? null : path(r.path, at + ".path", reasons);
    if (CHECKS.stream().noneMatch(e -> e.standalone() && e.isSet(r))) {
      reasons.add(
          at
              + ": no check; set at least one of "
              + CHECKS.stream()
                  .filter(CheckEntry::standalone)
                  .map(CheckEntry::field)
                  .collect(Collectors.joining(", ")));
    }

    // A per-value check without key or path reads every ConfigMap value.
    Glob valueKeys =
        key == null
                && r.key == null
                && r.path == null
                && CHECKS.stream().anyMatch(e -> e.scope() == Scope.VALUES && e.isSet(r))
            ? Glob.of("*")
            : key;
    boolean readsValues = r.key != null || valueKeys != null;
    RuleContext c = new RuleContext(r, at, key, readsValues, anyFormat, cel, reasons);
    for (CheckEntry<?> e : CHECKS) {
      e.validateRule(r, c);
    }
    List<Check> objectChecks = new ArrayList<>();
    List<Check> subjectChecks = new ArrayList<>();
    for (CheckEntry<?> e : CHECKS) {
      if (e.scope() == Scope.OBJECT) {
        addIfCompiled(e.compileRule(r, c), objectChecks);
      }
    }
    for (CheckEntry<?> e : CHECKS) {
      if (e.scope() != Scope.OBJECT) {
        addIfCompiled(e.compileRule(r, c), subjectChecks);
      }
    }
    if (reasons.size() > before) {
      return null;
    }
    return new CompiledRule(r.name, valueKeys, path, r.format, objectChecks, subjectChecks);
  }

  private static void addIfCompiled(Check check, List<Check> checks) {
    if (check != null) {
      checks.add(check);
    }
  }

  /** The opt-in key strictness of a rule for consumers that read keys differently, or null. */
  private static ConsumerKeys consumerKeys(Rule r, String field, RuleContext c) {
    boolean folded = r.duplicateKeys == DuplicateKeys.caseInsensitive;
    boolean yaml11 = Boolean.TRUE.equals(r.yaml11);
    if (r.duplicateKeys != null && r.format != Format.json) {
      c.reasons().add(c.field("duplicateKeys") + ": only with format: json");
    }
    if (r.yaml11 != null && r.format != Format.yaml) {
      c.reasons().add(c.field("yaml11") + ": only with format: yaml");
    }
    return (folded && r.format == Format.json) || (yaml11 && r.format == Format.yaml)
        ? new ConsumerKeys(folded, yaml11)
        : null;
  }

  private static JsonSchemaCheck jsonSchema(JsonNode schema, String field, RuleContext c) {
    Schema compiled = SchemaSupport.compile(schema, field, c.reasons());
    return compiled == null ? null : new JsonSchemaCheck(compiled);
  }

  private static MaxItems maxItems(CountLimit limit, String at, RuleContext c) {
    JsonPath p = null;
    if (limit.path == null) {
      c.reasons().add(at + ".path: required");
    } else {
      p = path(limit.path, at + ".path", c.reasons());
    }
    if (limit.max == null) {
      c.reasons().add(at + ".max: required");
    } else {
      nonNegative(limit.max, at + ".max", c);
    }
    return p == null || limit.max == null || limit.max < 0 ? null : new MaxItems(p, limit.max);
  }

  private static Unique unique(UniqueCheck check, String at, RuleContext c) {
    if (check.path == null) {
      c.reasons().add(at + ".path: required");
      return null;
    }
    JsonPath p = path(check.path, at + ".path", c.reasons());
    return p == null ? null : new Unique(p);
  }

  /** maxGrowth or maxShrink: a ratio, and a path when it bounds a count inside the document. */
  private static Check change(ChangeLimit limit, String field, RuleContext c, boolean growth) {
    if (limit.path != null) {
      c.requireParsed(field);
    }
    JsonPath p = limit.path == null ? null : path(limit.path, field + ".path", c.reasons());
    Double ratio = ratio(limit, field, growth, c.reasons());
    if (ratio == null || (limit.path != null && p == null)) {
      return null;
    }
    return growth ? new MaxGrowth(p, ratio) : new MaxShrink(p, ratio);
  }

  private static Double ratio(ChangeLimit limit, String at, boolean growth, List<String> reasons) {
    Double ratio = limit.ratio;
    if (ratio == null) {
      reasons.add(at + ".ratio: required");
      return null;
    }
    if (ratio.isNaN() || ratio.isInfinite() || ratio <= 0) {
      reasons.add(at + ".ratio: must be > 0, got " + ratio);
      return null;
    }
    if (growth && ratio < 1) {
      reasons.add(at + ".ratio: must be >= 1 for growth (new <= old x ratio), got " + ratio);
      return null;
    }
    if (!growth && ratio > 1) {
      reasons.add(at + ".ratio: must be <= 1 for shrink (new >= old x ratio), got " + ratio);
      return null;
    }
    return ratio;
  }

  private static Immutable immutable(List<String> entries, String at, RuleContext c) {
    List<String> reasons = c.reasons();
    if (entries.isEmpty()) {
      reasons.add(at + ": empty list");
      return null;
    }
    List<Glob> keys = new ArrayList<>();
    List<JsonPath> paths = new ArrayList<>();
    int before = reasons.size();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String field = at + "[" + i + "]";
      if (entry != null && entry.startsWith("$")) {
        JsonPath p = path(entry, field, reasons);
        if (p != null) {
          paths.add(p);
        }
      } else {
        String problem = Glob.problem(entry, "a ConfigMap key", Glob.CharClass.CONFIG_KEY);
        if (problem != null) {
          reasons.add(field + ": " + problem + " (or start a JSONPath with $)");
        } else {
          keys.add(Glob.of(entry));
        }
      }
    }
    return reasons.size() > before ? null : new Immutable(List.copyOf(keys), List.copyOf(paths));
  }

  private static CelCheck celCheck(String expression, String field, RuleContext c) {
    return c.cel().compile(expression, c.rule().message, field, c.reasons());
  }

  private static void messageNeedsCel(String cel, String field, RuleContext c) {
    if (cel == null && c.rule().message != null) {
      c.reasons().add(c.field("message") + ": only used with cel");
    }
  }

  private static void nonNegative(Long value, String field, RuleContext c) {
    if (value != null && value < 0) {
      c.reasons().add(field + ": must be >= 0, got " + value);
    }
  }

  private static JsonPath path(String text, String field, List<String> reasons) {
    try {
      return JsonPath.parse(text);
    } catch (JsonPath.SyntaxError e) {
      reasons.add(field + ": \"" + text + "\" is not a JSONPath: " + e.getMessage());
      return null;
    }
  }
}
