package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Format;
import io.configguard.policy.parse.ParseFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config values of one target (new and old object) and their parsed documents, parsed at most
 * once per key and format however many rules and policies look at them.
 */
final class Documents {
  private final Target target;
  private final long deadline;
  private Map<String, ConfigValue> entries;
  private Map<String, ConfigValue> oldEntries;
  private final Map<Object, Parsed> parsed = new HashMap<>();
  private final List<Violation> overruns = new ArrayList<>();
  private String spender = "";
  private int parses;
  private long spent;

  Documents(Target target, long deadline) {
    this.target = target;
    this.deadline = deadline;
  }

  Target target() {
    return target;
  }

  long deadline() {
    return deadline;
  }

  /**
   * Records that {@code policy/rule} ran for {@code nanos}; the longest such run is the one an
   * overrun of the time budget is blamed on, whichever rule happens to look at the clock.
   */
  void spent(String policy, String rule, long nanos) {
    if (nanos > spent) {
      spent = nanos;
      spender = policy + "/" + rule;
    }
  }

  /** The rule that ran longest so far ({@code policy/rule}), or "". */
  String spender() {
    return spender;
  }

  long spentNanos() {
    return spent;
  }

  void overrun(Violation violation) {
    overruns.add(violation);
  }

  List<Violation> overruns() {
    return overruns;
  }

  void checkDeadline() {
    if (System.nanoTime() - deadline > 0) {
      throw new BudgetExceeded();
    }
  }

  /**
   * data and binaryData of a ConfigMap by key; data (base64) and stringData of a Secret, judged
   * like a ConfigMap's (stringData wins, as the API server merges it); empty for other kinds.
   */
  Map<String, ConfigValue> entries(boolean old) {
    if (old) {
      if (oldEntries == null) {
        oldEntries = sameAsNow(entriesOf(target.oldObject()));
      }
      return oldEntries;
    }
    if (entries == null) {
      entries = entriesOf(target.object());
    }
    return entries;
  }

  /**
   * An old value equal to the new one is the new one's {@link ConfigValue}: most updates change one
   * key, and the others are then parsed (or counted) once for both sides, not twice.
   */
  private Map<String, ConfigValue> sameAsNow(Map<String, ConfigValue> old) {
    Map<String, ConfigValue> now = entries(false);
    for (Map.Entry<String, ConfigValue> e : old.entrySet()) {
      ConfigValue then = e.getValue();
      ConfigValue same = now.get(e.getKey());
      if (same != null && same.binary() == then.binary() && same.raw().equals(then.raw())) {
        e.setValue(same);
      }
    }
    return old;
  }

  /** Whether anything read the old object's values: what tests check. */
  boolean hasOldEntries() {
    return oldEntries != null;
  }

  private Map<String, ConfigValue> entriesOf(JsonNode object) {
    if (object == null) {
      return Map.of();
    }
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    if (target.kind().isConfigMap()) {
      add(object.get("data"), false, out);
      add(object.get("binaryData"), true, out);
    } else if (target.kind().group().isEmpty() && target.kind().kind().equals("Secret")) {
      add(object.get("data"), true, out);
      add(object.get("stringData"), false, out);
    }
    return out;
  }

  private static void add(JsonNode values, boolean binary, Map<String, ConfigValue> out) {
    if (values == null || !values.isObject()) {
      return;
    }
    var fields = values.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      JsonNode v = field.getValue();
      String text = v.isTextual() ? v.textValue() : v.isNull() ? "" : v.toString();
      out.put(field.getKey(), new ConfigValue(field.getKey(), text, binary));
    }
  }

  private record CacheKey(ConfigValue entry, Format format) {}

  /** The entry parsed in {@code format}, or why it cannot be. */
  Parsed parse(ConfigValue entry, Format format, Parsers parsers) {
    CacheKey key = new CacheKey(entry, format);
    Parsed result = parsed.get(key);
    if (result == null) {
      checkDeadline();
      parses++;
      result = parseNow(entry, format, parsers);
      parsed.put(key, result);
    }
    return result;
  }

  /** How many values were parsed so far (each key and format once): what tests count. */
  int parses() {
    return parses;
  }

  /** Whether the entry was parsed in this format already. */
  boolean isParsed(ConfigValue entry, Format format) {
    return parsed.containsKey(new CacheKey(entry, format));
  }

  private static Parsed parseNow(ConfigValue entry, Format format, Parsers parsers) {
    long limit = parsers.limits().maxDocumentBytes();
    if (entry.exceeds(limit)) {
      return Parsed.failed(
          "value is " + entry.bytes() + " bytes, over the parse limit of " + limit + " bytes");
    }
    try {
      return parsers.parse(format, entry.text(limit));
    } catch (ParseFailure e) {
      return Parsed.failed(e.getMessage());
    }
  }
}
