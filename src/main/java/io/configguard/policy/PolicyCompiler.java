package io.configguard.policy;

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
import java.util.stream.Stream;

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
    boolean hasCheck =
        Stream.of(
                r.maxTotalBytes,
                r.maxKeys,
                r.maxBytes,
                r.format,
                r.jsonSchema,
                r.maxItems,
                r.unique,
                r.maxGrowth,
                r.maxShrink,
                r.immutable,
                r.cel)
            .anyMatch(Objects::nonNull);
    if (!hasCheck) {
      reasons.add(
          at
              + ": no check; set at least one of maxTotalBytes, maxKeys, maxBytes, format,"
              + " jsonSchema, maxItems, unique, maxGrowth, maxShrink, immutable, cel");
    }
    nonNegative(r.maxTotalBytes, at + ".maxTotalBytes", reasons);
    nonNegative(r.maxKeys, at + ".maxKeys", reasons);
    nonNegative(r.maxBytes, at + ".maxBytes", reasons);
    if (r.message != null && r.cel == null) {
      reasons.add(at + ".message: only used with cel");
    }

    // A format or per-value size without key or path reads every ConfigMap value.
    Glob valueKeys =
        key == null && r.key == null && r.path == null && (r.format != null || r.maxBytes != null)
            ? Glob.of("*")
            : key;
    boolean readsValues = r.key != null || valueKeys != null;

    List<Check> objectChecks = new ArrayList<>();
    List<Check> subjectChecks = new ArrayList<>();
    if (r.maxTotalBytes != null) {
      objectChecks.add(new MaxTotalBytes(r.maxTotalBytes, key));
    }
    if (r.maxKeys != null) {
      objectChecks.add(new MaxKeys(r.maxKeys, key));
    }
    if (r.immutable != null) {
      Immutable immutable = immutable(r.immutable, at + ".immutable", reasons);
      if (immutable != null) {
        objectChecks.add(immutable);
      }
    }
    if (r.cel != null) {
      CelCheck check = cel.compile(r.cel, r.message, at + ".cel", reasons);
      if (check != null) {
        objectChecks.add(check);
      }
    }
    if (r.maxBytes != null) {
      subjectChecks.add(new MaxBytes(r.maxBytes));
    }
    if (r.format != null) {
      subjectChecks.add(new FormatCheck());
    }
    ConsumerKeys consumerKeys = consumerKeys(r, at, reasons);
    if (consumerKeys != null) {
      subjectChecks.add(consumerKeys);
    }
    String needsFormat =
        readsValues && r.format == null && !anyFormat
            ? ": the value must be parsed; set format on this rule or on a rule for the same key"
            : null;
    if (r.jsonSchema != null) {
      requireFormat(needsFormat, at + ".jsonSchema", reasons);
      Schema schema = SchemaSupport.compile(r.jsonSchema, at + ".jsonSchema", reasons);
      if (schema != null) {
        subjectChecks.add(new JsonSchemaCheck(schema));
      }
    }
    if (r.maxItems != null) {
      requireFormat(needsFormat, at + ".maxItems", reasons);
      MaxItems check = maxItems(r.maxItems, at + ".maxItems", reasons);
      if (check != null) {
        subjectChecks.add(check);
      }
    }
    if (r.unique != null) {
      requireFormat(needsFormat, at + ".unique", reasons);
      Unique check = unique(r.unique, at + ".unique", reasons);
      if (check != null) {
        subjectChecks.add(check);
      }
    }
    if (r.maxGrowth != null) {
      if (r.maxGrowth.path != null) {
        requireFormat(needsFormat, at + ".maxGrowth", reasons);
      }
      JsonPath p = changePath(r.maxGrowth, at + ".maxGrowth", reasons);
      Double ratio = ratio(r.maxGrowth, at + ".maxGrowth", true, reasons);
      if (ratio != null && (r.maxGrowth.path == null || p != null)) {
        subjectChecks.add(new MaxGrowth(p, ratio));
      }
    }
    if (r.maxShrink != null) {
      if (r.maxShrink.path != null) {
        requireFormat(needsFormat, at + ".maxShrink", reasons);
      }
      JsonPath p = changePath(r.maxShrink, at + ".maxShrink", reasons);
      Double ratio = ratio(r.maxShrink, at + ".maxShrink", false, reasons);
      if (ratio != null && (r.maxShrink.path == null || p != null)) {
        subjectChecks.add(new MaxShrink(p, ratio));
      }
    }
    if (reasons.size() > before) {
      return null;
    }
    return new CompiledRule(r.name, valueKeys, path, r.format, objectChecks, subjectChecks);
  }

  /** The opt-in key strictness of a rule for consumers that read keys differently, or null. */
  private static ConsumerKeys consumerKeys(Rule r, String at, List<String> reasons) {
    boolean folded = r.duplicateKeys == DuplicateKeys.caseInsensitive;
    boolean yaml11 = Boolean.TRUE.equals(r.yaml11);
    if (r.duplicateKeys != null && r.format != Format.json) {
      reasons.add(at + ".duplicateKeys: only with format: json");
    }
    if (r.yaml11 != null && r.format != Format.yaml) {
      reasons.add(at + ".yaml11: only with format: yaml");
    }
    return (folded && r.format == Format.json) || (yaml11 && r.format == Format.yaml)
        ? new ConsumerKeys(folded, yaml11)
        : null;
  }

  private static void requireFormat(String needsFormat, String field, List<String> reasons) {
    if (needsFormat != null) {
      reasons.add(field + needsFormat);
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

  private static void nonNegative(Long value, String field, List<String> reasons) {
    if (value != null && value < 0) {
      reasons.add(field + ": must be >= 0, got " + value);
    }
  }

  private static MaxItems maxItems(CountLimit limit, String at, List<String> reasons) {
    JsonPath p = null;
    if (limit.path == null) {
      reasons.add(at + ".path: required");
    } else {
      p = path(limit.path, at + ".path", reasons);
    }
    if (limit.max == null) {
      reasons.add(at + ".max: required");
    } else {
      nonNegative(limit.max, at + ".max", reasons);
    }
    return p == null || limit.max == null || limit.max < 0 ? null : new MaxItems(p, limit.max);
  }

  private static Unique unique(UniqueCheck check, String at, List<String> reasons) {
    if (check.path == null) {
      reasons.add(at + ".path: required");
      return null;
    }
    JsonPath p = path(check.path, at + ".path", reasons);
    return p == null ? null : new Unique(p);
  }

  private static JsonPath changePath(ChangeLimit limit, String at, List<String> reasons) {
    return limit.path == null ? null : path(limit.path, at + ".path", reasons);
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

  private static Immutable immutable(List<String> entries, String at, List<String> reasons) {
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
}
