package io.configguard.policy.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * A strict reader of the {@link java.util.Properties} text syntax (comments, continuation lines,
 * {@code = : whitespace} separators, escapes) that, unlike {@code Properties.load}, rejects a
 * duplicated key and a malformed {@code \\uXXXX} escape with their line numbers.
 */
public final class StrictProperties {
  private StrictProperties() {}

  /** Parses {@code text} into an object of string values, in file order. */
  public static JsonNode parse(String text) throws ParseFailure {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    Map<String, Integer> firstLine = new HashMap<>();
    int pos = 0;
    int line = 1;
    int n = text.length();
    while (pos < n) {
      int start = skipWhitespace(text, pos);
      // A natural line that is blank or a comment is dropped whole, even if it ends with '\'.
      if (start >= n || isLineEnd(text.charAt(start))) {
        pos = nextLine(text, start);
        line++;
        continue;
      }
      char first = text.charAt(start);
      if (first == '#' || first == '!') {
        pos = nextLine(text, lineEnd(text, start));
        line++;
        continue;
      }
      int keyLine = line;
      StringBuilder logical = new StringBuilder();
      int p = start;
      while (true) {
        int end = lineEnd(text, p);
        int backslashes = 0;
        for (int i = end - 1; i >= p && text.charAt(i) == '\\'; i--) {
          backslashes++;
        }
        if (backslashes % 2 == 1 && end < n) {
          logical.append(text, p, end - 1);
          p = skipWhitespace(text, nextLine(text, end));
          line++;
        } else {
          logical.append(text, p, end);
          pos = nextLine(text, end);
          line++;
          break;
        }
      }
      entry(logical.toString(), keyLine, out, firstLine);
    }
    return out;
  }

  private static void entry(String logical, int line, ObjectNode out, Map<String, Integer> first)
      throws ParseFailure {
    int i = 0;
    int n = logical.length();
    StringBuilder rawKey = new StringBuilder();
    while (i < n) {
      char c = logical.charAt(i);
      if (c == '\\' && i + 1 < n) {
        rawKey.append(c).append(logical.charAt(i + 1));
        i += 2;
        continue;
      }
      if (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f') {
        break;
      }
      rawKey.append(c);
      i++;
    }
    i = skipWhitespace(logical, i);
    if (i < n && (logical.charAt(i) == '=' || logical.charAt(i) == ':')) {
      i = skipWhitespace(logical, i + 1);
    }
    String key = unescape(rawKey.toString(), line);
    String value = unescape(logical.substring(i), line);
    Integer previous = first.putIfAbsent(key, line);
    if (previous != null) {
      throw new ParseFailure(
          "duplicate key \""
              + key
              + "\" at line "
              + line
              + " in properties (first at line "
              + previous
              + ")");
    }
    out.put(key, value);
  }

  private static String unescape(String s, int line) throws ParseFailure {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 't' -> out.append('\t');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (i + 4 >= s.length()) {
            throw new ParseFailure(
                "invalid properties at line " + line + ": malformed \\uXXXX escape");
          }
          int code = 0;
          for (int k = 1; k <= 4; k++) {
            int digit = Character.digit(s.charAt(i + k), 16);
            if (digit < 0) {
              throw new ParseFailure(
                  "invalid properties at line " + line + ": malformed \\uXXXX escape");
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  private static int skipWhitespace(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\f')) {
      i++;
    }
    return i;
  }

  private static boolean isLineEnd(char c) {
    return c == '\n' || c == '\r';
  }

  private static int lineEnd(String s, int i) {
    while (i < s.length() && !isLineEnd(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index after the line terminator at {@code end} (\n, \r or \r\n). */
  private static int nextLine(String s, int end) {
    if (end >= s.length()) {
      return s.length();
    }
    if (s.charAt(end) == '\r' && end + 1 < s.length() && s.charAt(end + 1) == '\n') {
      return end + 2;
    }
    return end + 1;
  }
}
