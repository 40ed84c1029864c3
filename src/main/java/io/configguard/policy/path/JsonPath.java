package io.configguard.policy.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONPath of the RFC 9535 subset {@code $}, {@code .name}, {@code .*}, {@code ['name']}, {@code
 * [n]} (negative counts from the end) and {@code [*]}; selects nodes with their concrete paths.
 */
public final class JsonPath {
  private final String text;
  private final List<Segment> segments;

  private JsonPath(String text, List<Segment> segments) {
    this.text = text;
    this.segments = List.copyOf(segments);
  }

  /** A path that failed to parse; the message names the position (0-based) and what was wrong. */
  public static final class SyntaxError extends IllegalArgumentException {
    private final int position;

    SyntaxError(int position, String problem) {
      super("at position " + position + ": " + problem);
      this.position = position;
    }

    public int position() {
      return position;
    }
  }

  /** One step of a path: a member name, an array index, or every child. */
  public sealed interface Segment permits Name, Index, Wildcard {}

  /** A member of an object. */
  public record Name(String name) implements Segment {}

  /** An element of an array; negative counts from the end. */
  public record Index(int index) implements Segment {}

  /** Every element of an array or member of an object. */
  public record Wildcard() implements Segment {}

  /** A selected node and the concrete path where it was found. */
  public record Match(JsonNode node, Location location) {}

  public static JsonPath parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new SyntaxError(0, "empty path, expected '$'");
    }
    return new Parser(text).parse();
  }

  public List<Segment> segments() {
    return segments;
  }

  /** True when the path can select at most one node (no wildcard). */
  public boolean isSingular() {
    return segments.stream().noneMatch(s -> s instanceof Wildcard);
  }

  /** Every node the path selects from {@code root}, in document order. */
  public List<Match> select(JsonNode root) {
    return select(root, Location.ROOT);
  }

  /** Like {@link #select(JsonNode)}, reporting locations below {@code base}. */
  public List<Match> select(JsonNode root, Location base) {
    List<Match> current = new ArrayList<>(1);
    if (root != null && !root.isMissingNode()) {
      current.add(new Match(root, base));
    }
    for (Segment segment : segments) {
      List<Match> next = new ArrayList<>(current.size());
      for (Match m : current) {
        step(m, segment, next);
      }
      current = next;
      if (current.isEmpty()) {
        break;
      }
    }
    return current;
  }

  /** The single node at a singular path, or null when it is absent. */
  public JsonNode selectOne(JsonNode root) {
    List<Match> found = select(root);
    return found.isEmpty() ? null : found.get(0).node();
  }

  /**
   * The count a limit compares: the size of the array or object at a singular path (0 when absent,
   * 1 for a scalar), or the number of nodes a wildcard path selects.
   */
  public long count(JsonNode root) {
    if (!isSingular()) {
      return select(root).size();
    }
    JsonNode node = selectOne(root);
    if (node == null || node.isNull()) {
      return 0;
    }
    return node.isContainerNode() ? node.size() : 1;
  }

  /** This path's text as seen from the object when the document it reads sits at {@code base}. */
  public String under(Location base) {
    return base == Location.ROOT ? text : base + text.substring(1);
  }

  private static void step(Match m, Segment segment, List<Match> out) {
    JsonNode node = m.node();
    if (segment instanceof Name n) {
      JsonNode child = node.isObject() ? node.get(n.name()) : null;
      if (child != null) {
        out.add(new Match(child, m.location().child(n.name())));
      }
    } else if (segment instanceof Index i) {
      if (node.isArray()) {
        int index = i.index() < 0 ? node.size() + i.index() : i.index();
        if (index >= 0 && index < node.size()) {
          out.add(new Match(node.get(index), m.location().child(index)));
        }
      }
    } else if (node.isArray()) {
      for (int index = 0; index < node.size(); index++) {
        out.add(new Match(node.get(index), m.location().child(index)));
      }
    } else if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        out.add(new Match(field.getValue(), m.location().child(field.getKey())));
      }
    }
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonPath p && p.segments.equals(segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  /** Recursive-descent parser over the subset; every error names its position. */
  private static final class Parser {
    private final String s;
    private int pos;
    private final List<Segment> segments = new ArrayList<>();

    Parser(String s) {
      this.s = s;
    }

    JsonPath parse() {
      if (s.charAt(0) != '$') {
        throw new SyntaxError(0, "a path starts with '$'");
      }
      pos = 1;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '.') {
          dotSegment();
        } else if (c == '[') {
          bracketSegment();
        } else {
          throw new SyntaxError(pos, "expected '.' or '[', found '" + c + "'");
        }
      }
      return new JsonPath(s, segments);
    }

    private void dotSegment() {
      pos++;
      if (pos >= s.length()) {
        throw new SyntaxError(pos, "expected a member name after '.'");
      }
      char c = s.charAt(pos);
      if (c == '.') {
        throw new SyntaxError(pos - 1, "descendant segments (..) are not supported");
      }
      if (c == '*') {
        pos++;
        segments.add(new Wildcard());
        return;
      }
      if (!isNameFirst(c)) {
        throw new SyntaxError(pos, "a member name starts with a letter or '_', found '" + c + "'");
      }
      int start = pos;
      while (pos < s.length() && isNameChar(s.charAt(pos))) {
        pos++;
      }
      segments.add(new Name(s.substring(start, pos)));
    }

    private void bracketSegment() {
      pos++;
      skipBlanks();
      if (pos >= s.length()) {
        throw new SyntaxError(pos, "unclosed '['");
      }
      char c = s.charAt(pos);
      if (c == '\'' || c == '"') {
        segments.add(new Name(stringLiteral(c)));
      } else if (c == '*') {
        pos++;
        segments.add(new Wildcard());
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        segments.add(new Index(index()));
      } else if (c == '?') {
        throw new SyntaxError(pos, "filter selectors (?) are not supported");
      } else {
        throw new SyntaxError(pos, "expected a quoted name, an index or '*', found '" + c + "'");
      }
      skipBlanks();
      if (pos < s.length() && s.charAt(pos) == ':') {
        throw new SyntaxError(pos, "array slices are not supported");
      }
      if (pos < s.length() && s.charAt(pos) == ',') {
        throw new SyntaxError(pos, "several selectors in one bracket are not supported");
      }
      if (pos >= s.length() || s.charAt(pos) != ']') {
        throw new SyntaxError(pos, "expected ']'");
      }
      pos++;
    }

    private int index() {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      int digits = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      String number = s.substring(start, pos);
      if (pos == digits) {
        throw new SyntaxError(pos, "expected digits after '-'");
      }
      if (s.charAt(digits) == '0' && (pos - digits > 1 || digits > start)) {
        throw new SyntaxError(start, "index " + number + " has a leading zero or is -0");
      }
      try {
        return Integer.parseInt(number);
      } catch (NumberFormatException e) {
        throw new SyntaxError(start, "index " + number + " is out of range");
      }
    }

    private String stringLiteral(char quote) {
      int start = pos;
      pos++;
      StringBuilder out = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == quote) {
          pos++;
          return out.toString();
        }
        if (c == '\\') {
          out.append(escape());
        } else if (c < 0x20) {
          throw new SyntaxError(pos, "control character in a quoted name");
        } else {
          out.append(c);
          pos++;
        }
      }
      throw new SyntaxError(start, "unterminated quoted name");
    }

    private char escape() {
      int at = pos;
      pos++;
      if (pos >= s.length()) {
        throw new SyntaxError(at, "unterminated escape");
      }
      char c = s.charAt(pos++);
      switch (c) {
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case '/', '\\', '\'', '"':
          return c;
        case 'u':
          if (pos + 4 > s.length()) {
            throw new SyntaxError(at, "\\u needs four hex digits");
          }
          try {
            char u = (char) Integer.parseInt(s.substring(pos, pos + 4), 16);
            pos += 4;
            return u;
          } catch (NumberFormatException e) {
            throw new SyntaxError(at, "\\u needs four hex digits");
          }
        default:
          throw new SyntaxError(at, "invalid escape \\" + c);
      }
    }

    private void skipBlanks() {
      while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }
  }

  static boolean isNameFirst(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }

  static boolean isNameChar(char c) {
    return isNameFirst(c) || (c >= '0' && c <= '9');
  }
}
