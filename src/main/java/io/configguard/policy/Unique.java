package io.configguard.policy;

import io.configguard.policy.path.JsonPath;
import io.configguard.policy.path.Location;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Values at a path must not repeat (numbers compared by value); each repeat is reported at its
 * second occurrence.
 */
record Unique(JsonPath path) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed doc = subject.document();
    if (!doc.ok()) {
      return;
    }
    List<JsonPath.Match> matches = path.select(doc.node(), subject.base());
    // Strings (most ids) are keys of their own: a HashMap bin of colliding Strings becomes a tree
    // ordered by compareTo, so String.hashCode collisions cost a log, not a list. Other values
    // (not Comparable) get keyed hashes: the ids are the config author's choice, String.hashCode
    // collisions are not. No string equals a value of another type.
    Map<String, Location> strings = new HashMap<>(matches.size() * 2);
    Map<KeyedHash.Key, Location> seen = new HashMap<>();
    for (int i = 0; i < matches.size(); i++) {
      if ((i & 1023) == 1023) {
        subject.ev().checkDeadline();
      }
      JsonPath.Match m = matches.get(i);
      Location first =
          m.node().isTextual()
              ? strings.putIfAbsent(m.node().textValue(), m.location())
              : seen.putIfAbsent(KeyedHash.Key.of(Canonical.of(m.node())), m.location());
      if (first != null) {
        findings.add(
            subject.location(),
            "duplicate "
                + subject.ev().show(m.node())
                + " at "
                + m.location()
                + " (first at "
                + first
                + ")");
      }
    }
  }
}
