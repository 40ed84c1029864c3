package io.configguard.policy.parse;

import io.configguard.policy.path.JsonPath;
import java.util.List;

/**
 * The count {@link JsonPath#count} gives, read straight from JSON text: values off the path are
 * skipped by bracket depth and string quoting only, nothing is tokenized or built. It serves the
 * old side of maxGrowth/maxShrink, a document that was admitted before and only has to yield a
 * number; the new side is always parsed strictly. Text too broken to follow yields -1.
 */
public final class JsonCount {
  private final String s;
  private final int maxDepth;
  private int pos;

  private JsonCount(String s, int maxDepth) {
    this.s = s;
    this.maxDepth = maxDepth;
  }

  private static final class Broken extends Exception {
    Broken() {
      super(null, null, false, false);
    }
  }

  public static long count(String text, JsonPath path, int maxDepth) {
    JsonCount scan = new JsonCount(text, maxDepth);
    try {
      long count = scan.value(path.segments(), 0, path.isSingular());
      scan.blanks();
      return scan.pos == text.length() ? count : -1;
    } catch (Broken | StringIndexOutOfBoundsException e) {
      return -1;
    }
  }

  private long value(List<JsonPath.Segment> path, int at, boolean singular) throws Broken {
    blanks();
    char c = s.charAt(pos);
    if (at == path.size()) {
      if (!singular) {
        skip();
        return 1;
      }
      if (c == '[' || c == '{') {
        return children(c == '{');
      }
      boolean isNull = s.startsWith("null", pos);
      skip();
      return isNull ? 0 : 1;
    }
    JsonPath.Segment segment = path.get(at);
    long total = 0;
    if (c == '{' && !(segment instanceof JsonPath.Index)) {
      pos++;
      if (next() == '}') {
        pos++;
        return 0;
      }
      while (true) {
        String name = string();
        expect(':');
        if (segment instanceof JsonPath.Wildcard || ((JsonPath.Name) segment).name().equals(name)) {
          total += value(path, at + 1, singular);
        } else {
          skip();
        }
        if (separator('}')) {
          return total;
        }
      }
    }
    if (c == '[' && !(segment instanceof JsonPath.Name)) {
      int wanted = segment instanceof JsonPath.Index i ? i.index() : -1;
      if (segment instanceof JsonPath.Index && wanted < 0) {
        throw new Broken();
      }
      pos++;
      if (next() == ']') {
        pos++;
        return 0;
      }
      for (int index = 0; ; index++) {
        if (wanted < 0 || index == wanted) {
          total += value(path, at + 1, singular);
        } else {
          skip();
        }
        if (separator(']')) {
          return total;
        }
      }
    }
    skip();
    return 0;
  }

  /** Number of elements or members of the container at pos, skipping each. */
  private long children(boolean object) throws Broken {
    char close = object ? '}' : ']';
    pos++;
    if (next() == close) {
      pos++;
      return 0;
    }
    long count = 0;
    while (true) {
      if (object) {
        string();
        expect(':');
      }
      skip();
      count++;
      if (separator(close)) {
        return count;
      }
    }
  }

  /** Skips one value: a container by depth, a string by quotes, a scalar up to a delimiter. */
  private void skip() throws Broken {
    blanks();
    char c = s.charAt(pos);
    if (c == '"') {
      string();
      return;
    }
    if (c != '[' && c != '{') {
      int start = pos;
      while (pos < s.length() && ",]} \t\r\n".indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      if (pos == start) {
        throw new Broken();
      }
      return;
    }
    int depth = 0;
    do {
      c = s.charAt(pos);
      if (c == '"') {
        skipString();
        continue;
      }
      if (c == '[' || c == '{') {
        if (++depth > maxDepth) {
          throw new Broken();
        }
      } else if (c == ']' || c == '}') {
        depth--;
      }
      pos++;
    } while (depth > 0);
  }

  private String string() throws Broken {
    next();
    if (s.charAt(pos) != '"') {
      throw new Broken();
    }
    int start = pos + 1;
    skipString();
    String raw = s.substring(start, pos - 1);
    return raw.indexOf('\\') < 0 ? raw : unescape(raw);
  }

  /** From an opening quote to just past its closing quote: the first one not escaped. */
  private void skipString() throws Broken {
    int quote = pos;
    while (true) {
      quote = s.indexOf('"', quote + 1);
      if (quote < 0) {
        throw new Broken();
      }
      int backslashes = 0;
      while (s.charAt(quote - 1 - backslashes) == '\\') {
        backslashes++;
      }
      if (backslashes % 2 == 0) {
        pos = quote + 1;
        return;
      }
    }
  }

  private static String unescape(String raw) throws Broken {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = raw.charAt(++i);
      switch (e) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          try {
            out.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
          } catch (RuntimeException x) {
            throw new Broken();
          }
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  /** After a value: true at the closing bracket (consumed), false after a comma. */
  private boolean separator(char close) throws Broken {
    char c = next();
    pos++;
    if (c == close) {
      return true;
    }
    if (c != ',') {
      throw new Broken();
    }
    return false;
  }

  private void expect(char c) throws Broken {
    if (next() != c) {
      throw new Broken();
    }
    pos++;
  }

  private char next() {
    blanks();
    return s.charAt(pos);
  }

  private void blanks() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }
}
