package io.configguard.policy;

import io.configguard.api.Format;
import io.configguard.policy.path.JsonPath;
import io.configguard.policy.path.Location;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rule, compiled: what it looks at (ConfigMap values by key glob, nodes at a path, or the whole
 * object) and its checks, split into those that read the whole object and those that read each
 * subject.
 */
final class CompiledRule {
  private final String name;
  private final Glob key;
  private final JsonPath path;
  private final Format format;
  private final List<Check> objectChecks;
  private final List<Check> subjectChecks;
  private final boolean hasChangeChecks;

  CompiledRule(
      String name,
      Glob key,
      JsonPath path,
      Format format,
      List<Check> objectChecks,
      List<Check> subjectChecks) {
    this.name = name;
    this.key = key;
    this.path = path;
    this.format = format;
    this.objectChecks = List.copyOf(objectChecks);
    this.subjectChecks = List.copyOf(subjectChecks);
    this.hasChangeChecks = subjectChecks.stream().anyMatch(CompiledRule::isChange);
  }

  String name() {
    return name;
  }

  /** The key glob this rule parses in its format, or null when it parses none. */
  Glob formattedKeys() {
    return format == null ? null : key;
  }

  Format format() {
    return format;
  }

  void evaluate(Evaluation ev, Findings.Factory findings) {
    boolean hasObject = ev.target().object() != null;
    for (Check check : objectChecks) {
      if (hasObject || !check.needsObject()) {
        ev.checkDeadline();
        run(check, Subject.object(ev), findings);
      }
    }
    if (!hasObject || subjectChecks.isEmpty()) {
      return;
    }
    for (Subject subject : subjects(ev)) {
      for (Check check : subjectChecks) {
        if (subject.gone() && !isChange(check)) {
          continue;
        }
        ev.checkDeadline();
        run(check, subject, findings);
      }
    }
  }

  /** maxGrowth and maxShrink also see what an update removed: a shrink to nothing. */
  private static boolean isChange(Check check) {
    return check instanceof MaxGrowth || check instanceof MaxShrink;
  }

  private void run(Check check, Subject subject, Findings.Factory factory) {
    Findings findings = factory.forRule(name);
    check.check(subject, findings);
    findings.close();
  }

  private List<Subject> subjects(Evaluation ev) {
    List<Subject> out = new ArrayList<>();
    boolean update = ev.target().oldObject() != null && hasChangeChecks;
    if (key != null) {
      Map<String, ConfigValue> now = ev.documents().entries(false);
      for (Map.Entry<String, ConfigValue> e : now.entrySet()) {
        if (key.matches(e.getKey())) {
          Format f = format != null ? format : ev.formatOf(e.getKey());
          out.add(Subject.key(ev, e.getValue(), f));
        }
      }
      if (update) {
        for (Map.Entry<String, ConfigValue> e : ev.documents().entries(true).entrySet()) {
          if (!now.containsKey(e.getKey()) && key.matches(e.getKey())) {
            Format f = format != null ? format : ev.formatOf(e.getKey());
            out.add(Subject.removedKey(ev, e.getValue(), f));
          }
        }
      }
    } else if (path != null) {
      Set<Location> present = new HashSet<>();
      for (JsonPath.Match m : path.select(ev.target().object())) {
        out.add(Subject.node(ev, m.node(), m.location(), format));
        present.add(m.location());
      }
      if (update) {
        for (JsonPath.Match m : path.select(ev.target().oldObject())) {
          if (!present.contains(m.location())) {
            out.add(Subject.removedNode(ev, m.location(), format));
          }
        }
      }
    } else {
      out.add(Subject.object(ev));
    }
    return out;
  }
}
