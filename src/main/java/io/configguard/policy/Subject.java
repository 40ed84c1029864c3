package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.configguard.api.Format;
import io.configguard.policy.parse.ParseFailure;
import io.configguard.policy.parse.StrictYaml;
import io.configguard.policy.path.JsonPath;
import io.configguard.policy.path.Location;

/**
 * What a rule's checks look at: one ConfigMap value (by key), one node of the object selected by
 * the rule's path, or the whole object; and the same thing in the old object on UPDATE.
 */
final class Subject {
  private final Evaluation ev;
  private final ConfigValue entry;
  private final JsonNode node;
  private final Location base;
  private final Format format;
  private final boolean old;
  private final boolean gone;

  private Subject(
      Evaluation ev, ConfigValue entry, JsonNode node, Location base, Format format, boolean old) {
    this(ev, entry, node, base, format, old, false);
  }

  private Subject(
      Evaluation ev,
      ConfigValue entry,
      JsonNode node,
      Location base,
      Format format,
      boolean old,
      boolean gone) {
    this.ev = ev;
    this.entry = entry;
    this.node = node;
    this.base = base;
    this.format = format;
    this.old = old;
    this.gone = gone;
  }

  static Subject object(Evaluation ev) {
    return new Subject(ev, null, ev.target().object(), Location.ROOT, null, false);
  }

  static Subject key(Evaluation ev, ConfigValue entry, Format format) {
    return new Subject(ev, entry, null, Location.ROOT, format, false);
  }

  static Subject node(Evaluation ev, JsonNode node, Location at, Format format) {
    return new Subject(ev, null, node, at, format, false);
  }

  /**
   * A key (or a node at a path) the old object had and the new one lacks: for the change checks it
   * is there with nothing in it, a shrink to zero, never "nothing to compare".
   */
  static Subject removedKey(Evaluation ev, ConfigValue oldEntry, Format format) {
    return new Subject(ev, oldEntry, null, Location.ROOT, format, false, true);
  }

  static Subject removedNode(Evaluation ev, Location at, Format format) {
    return new Subject(ev, null, null, at, format, false, true);
  }

  /** Whether the subject was removed by this update (only the change checks look at it). */
  boolean gone() {
    return gone;
  }

  Evaluation ev() {
    return ev;
  }

  /** The ConfigMap key, or null when the subject is (part of) the object. */
  String key() {
    return entry == null ? null : entry.key();
  }

  /** What a violation's location names: the key, or nothing (messages carry JSONPaths). */
  String location() {
    return entry == null ? "" : entry.key();
  }

  /** Where the document's root sits: $ for a key's document, the concrete path for a node. */
  Location base() {
    return base;
  }

  Format format() {
    return format;
  }

  /** Bytes of the value: UTF-8 / decoded size of a key's value, else the node's JSON size. */
  long bytes() {
    if (gone) {
      return 0;
    }
    if (entry != null) {
      return entry.bytes();
    }
    if (node != null && node.isTextual()) {
      return ConfigValue.utf8Length(node.textValue());
    }
    return Json.size(node);
  }

  /** Whether {@link #bytes} is over {@code limit}; a key's value is measured only if need be. */
  boolean exceeds(long limit) {
    return !gone && entry != null ? entry.exceeds(limit) : bytes() > limit;
  }

  /** The value's text, or null when there is none (not a key, not a string node, unreadable). */
  String text() {
    if (gone) {
      return null;
    }
    if (entry != null) {
      try {
        return entry.text(ev.limits().maxDocumentBytes());
      } catch (ParseFailure e) {
        return null;
      }
    }
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  /** The document the checks read: the parsed value, or the node itself. */
  Parsed document() {
    if (entry != null) {
      if (format == null) {
        return Parsed.failed("no rule of the policy gives key \"" + entry.key() + "\" a format");
      }
      return ev.parse(entry, format);
    }
    if (node == null) {
      return Parsed.failed("no object");
    }
    if (format != null && node.isTextual()) {
      return ev.parsers().parse(format, node.textValue());
    }
    return Parsed.of(node);
  }

  /**
   * {@link JsonPath#count} on the document, or -1 when it does not parse. A JSON or YAML value that
   * no check has parsed yet (the old side of maxGrowth and maxShrink) is counted without building
   * it ({@link Parsers#count}).
   */
  long count(JsonPath path) {
    if (gone) {
      return 0;
    }
    if (entry != null
        && (format == Format.json || format == Format.yaml)
        && !ev.documents().isParsed(entry, format)
        && !entry.exceeds(ev.limits().maxDocumentBytes())) {
      try {
        long counted = ev.parsers().count(format, entry.text(ev.limits().maxDocumentBytes()), path);
        if (counted != StrictYaml.UNCOUNTED) {
          return counted;
        }
        // What the counter cannot count (a negative index, aliases, text the JSON scanner cannot
        // follow) is counted from the full parse below: never "no old value", which would switch
        // the check off.
      } catch (ParseFailure e) {
        return -1;
      }
    }
    Parsed doc = document();
    return doc.ok() ? path.count(doc.node()) : -1;
  }

  /** The same key or path in the old object on UPDATE; null when there is none. */
  Subject previous() {
    if (old) {
      return null;
    }
    JsonNode oldObject = ev.target().oldObject();
    if (oldObject == null) {
      return null;
    }
    if (gone && entry != null) {
      return new Subject(ev, entry, null, base, format, true);
    }
    if (entry != null) {
      ConfigValue before = ev.documents().entries(true).get(entry.key());
      return before == null ? null : new Subject(ev, before, null, base, format, true);
    }
    JsonNode before = base.resolve(oldObject);
    if (before == null || before instanceof MissingNode) {
      return null;
    }
    return new Subject(ev, null, before, base, format, true);
  }
}
