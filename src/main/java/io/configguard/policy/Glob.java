package io.configguard.policy;

/**
 * A glob of {@code *} (any run) and {@code ?} (one character); no classes, no escapes, no regex.
 * Matching keeps one backtrack point (the last star), so it takes at most O(pattern x text) steps
 * and never backtracks exponentially.
 */
public final class Glob {
  private final String pattern;

  private Glob(String pattern) {
    this.pattern = pattern;
  }

  public static Glob of(String pattern) {
    return new Glob(pattern);
  }

  /**
   * Why {@code pattern} is not a glob over {@code allowed} characters (plus * and ?), or null when
   * it is one.
   */
  public static String problem(String pattern, String what, CharClass allowed) {
    if (pattern == null || pattern.isEmpty()) {
      return "empty glob";
    }
    if (pattern.length() > 253) {
      return "glob longer than 253 characters";
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c != '*' && c != '?' && !allowed.test(c)) {
        return "\""
            + pattern
            + "\" has '"
            + c
            + "' at position "
            + i
            + ", which cannot appear in "
            + what
            + " (globs support only * and ?)";
      }
    }
    return null;
  }

  /** Characters a glob may contain besides its wildcards. */
  @FunctionalInterface
  public interface CharClass {
    boolean test(char c);

    /** metadata.name of most kinds: a DNS subdomain. */
    CharClass OBJECT_NAME =
        c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';

    /** A ConfigMap data key. */
    CharClass CONFIG_KEY =
        c ->
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_';
  }

  public boolean matches(String text) {
    int p = 0;
    int t = 0;
    int starP = -1;
    int starT = 0;
    while (t < text.length()) {
      if (p < pattern.length()) {
        char c = pattern.charAt(p);
        if (c == '*') {
          starP = p++;
          starT = t;
          continue;
        }
        if (c == '?' || c == text.charAt(t)) {
          p++;
          t++;
          continue;
        }
      }
      if (starP < 0) {
        return false;
      }
      p = starP + 1;
      t = ++starT;
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
