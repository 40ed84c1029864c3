package io.configguard.cli;

/** Report formats of {@code check} and {@code test}: for people, tools, JUnit readers, GitHub. */
enum Output {
  text,
  json,
  junit,
  github;

  static final String LABEL = "text|json|junit|github";

  /** XML text or attribute content: markup escaped, characters XML 1.0 forbids dropped. */
  static String xml(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\n' -> out.append("&#10;");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append("&#9;");
                default -> {
                  if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF && (c < 0xD800 || c > 0xDFFF)) {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.toString();
  }

  /**
   * A GitHub workflow command, {@code ::error file=F,line=L,title=T::message}; escaped as the
   * runner expects so a message with a newline, a comma or a colon stays one annotation.
   */
  static String annotation(String level, String file, int line, String title, String message) {
    return "::"
        + level
        + " file="
        + property(file)
        + ",line="
        + line
        + ",title="
        + property(title)
        + "::"
        + data(message);
  }

  private static String data(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static String property(String s) {
    return data(s).replace(":", "%3A").replace(",", "%2C");
  }
}
