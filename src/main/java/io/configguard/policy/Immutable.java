package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Operation;
import io.configguard.policy.path.JsonPath;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** On UPDATE, ConfigMap keys (globs) and object paths that may not change, appear or vanish. */
record Immutable(List<Glob> keys, List<JsonPath> paths) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Target target = subject.ev().target();
    if (target.operation() != Operation.UPDATE || target.oldObject() == null) {
      return;
    }
    Documents docs = subject.ev().documents();
    for (Glob glob : keys) {
      Map<String, ConfigValue> now = docs.entries(false);
      Map<String, ConfigValue> then = docs.entries(true);
      Set<String> names = new LinkedHashSet<>(then.keySet());
      names.addAll(now.keySet());
      for (String key : names) {
        if (!glob.matches(key)) {
          continue;
        }
        ConfigValue a = then.get(key);
        ConfigValue b = now.get(key);
        String change =
            a == null
                ? "added"
                : b == null
                    ? "removed"
                    : a.binary() != b.binary() || !a.raw().equals(b.raw()) ? "changed" : null;
        if (change != null) {
          findings.add(key, "key is immutable (" + glob + "): " + change);
        }
      }
    }
    for (JsonPath path : paths) {
      Map<String, JsonNode> then = byLocation(path, target.oldObject());
      Map<String, JsonNode> now = byLocation(path, target.object());
      Set<String> locations = new LinkedHashSet<>(then.keySet());
      locations.addAll(now.keySet());
      for (String location : locations) {
        JsonNode a = then.get(location);
        JsonNode b = now.get(location);
        if (Objects.equals(a, b)) {
          continue;
        }
        String change =
            a == null
                ? "added (now " + subject.ev().show(b) + ")"
                : b == null
                    ? "removed (was " + subject.ev().show(a) + ")"
                    : "changed from " + subject.ev().show(a) + " to " + subject.ev().show(b);
        findings.add("", location + " is immutable: " + change);
      }
    }
  }

  private static Map<String, JsonNode> byLocation(JsonPath path, JsonNode root) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonPath.Match m : path.select(root)) {
      out.put(m.location().toString(), m.node());
    }
    return out;
  }
}
