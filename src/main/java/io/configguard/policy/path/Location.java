package io.configguard.policy.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A concrete path to one node, e.g. {@code $.features[61].name}; an immutable linked list, so
 * selecting thousands of nodes shares prefixes and renders text only when reported.
 */
public final class Location {
  public static final Location ROOT = new Location(null, null, -1);

  private final Location parent;
  private final String name;
  private final int index;

  private Location(Location parent, String name, int index) {
    this.parent = parent;
    this.name = name;
    this.index = index;
  }

  public Location child(String member) {
    return new Location(this, member, -1);
  }

  public Location child(int element) {
    return new Location(this, null, element);
  }

  /** The node at this location under {@code root}, or null when absent. */
  public JsonNode resolve(JsonNode root) {
    Deque<Location> steps = new ArrayDeque<>();
    for (Location l = this; l.parent != null; l = l.parent) {
      steps.push(l);
    }
    JsonNode node = root;
    for (Location step : steps) {
      if (node == null) {
        return null;
      }
      node = step.name != null ? node.get(step.name) : node.get(step.index);
    }
    return node;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    append(out);
    return out.toString();
  }

  private void append(StringBuilder out) {
    if (parent == null) {
      out.append('$');
      return;
    }
    parent.append(out);
    if (name == null) {
      out.append('[').append(index).append(']');
    } else if (isShorthand(name)) {
      out.append('.').append(name);
    } else {
      out.append("['");
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c == '\'' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append("']");
    }
  }

  private static boolean isShorthand(String name) {
    if (name.isEmpty() || !JsonPath.isNameFirst(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      if (!JsonPath.isNameChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Location l && toString().equals(l.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
