package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.policy.parse.ParseFailure;
import io.configguard.policy.parse.StrictYaml;
import io.configguard.policy.path.Location;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Opt-in strictness for consumers that read keys differently from the strict parsers: Go's
 * encoding/json (case-insensitive field match, lone surrogates as U+FFFD, last one wins) and YAML
 * 1.1 readers (plain yes/on/y/true are one key). Two keys such a consumer merges are a duplicate:
 * the config means something else to it than to the policy.
 */
record ConsumerKeys(boolean caseInsensitive, boolean yaml11) implements Check {
  @Override
  public void check(Subject subject, Findings findings) {
    Parsed doc = subject.document();
    if (!doc.ok()) {
      return;
    }
    if (caseInsensitive) {
      foldedDuplicates(subject, doc.node(), findings);
    }
    if (yaml11) {
      String text = subject.text();
      if (text != null) {
        try {
          new StrictYaml(subject.ev().limits(), true).parse(text);
        } catch (ParseFailure e) {
          findings.add(subject.location(), e.getMessage());
        }
      }
    }
  }

  private record Pending(JsonNode node, Location at) {}

  private static void foldedDuplicates(Subject subject, JsonNode root, Findings findings) {
    Deque<Pending> todo = new ArrayDeque<>();
    todo.push(new Pending(root, subject.base()));
    long visited = 0;
    while (!todo.isEmpty()) {
      if ((++visited & 1023) == 0) {
        subject.ev().checkDeadline();
      }
      Pending p = todo.pop();
      if (p.node().isArray()) {
        for (int i = p.node().size() - 1; i >= 0; i--) {
          todo.push(new Pending(p.node().get(i), p.at().child(i)));
        }
      } else if (p.node().isObject()) {
        Map<String, String> seen = new HashMap<>();
        Deque<Pending> children = new ArrayDeque<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.node().fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          String before = seen.putIfAbsent(fold(field.getKey()), field.getKey());
          if (before != null) {
            findings.add(
                subject.location(),
                "duplicate key "
                    + quote(field.getKey())
                    + " in "
                    + p.at()
                    + ": a case-insensitive reader (Go's encoding/json) reads it as "
                    + quote(before));
          }
          children.push(new Pending(field.getValue(), p.at().child(field.getKey())));
        }
        // In document order: the last child pushed first.
        children.forEach(todo::push);
      }
    }
  }

  /**
   * One spelling per key as Go's encoding/json matches it: lone surrogates become U+FFFD, then each
   * code point is case-folded (simple folding, as Go's foldName does).
   */
  static String fold(String key) {
    StringBuilder out = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); ) {
      int cp = key.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
        cp = 0xFFFD;
      }
      out.appendCodePoint(Character.toUpperCase(Character.toLowerCase(cp)));
    }
    return out.toString();
  }

  private static String quote(String key) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || Character.isSurrogate(c) || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
