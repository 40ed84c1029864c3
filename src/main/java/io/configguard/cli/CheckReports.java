package io.configguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Enforcement;
import io.configguard.cli.FileChecks.Checked;
import io.configguard.policy.Target;
import io.configguard.policy.Violation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The reports of {@code configguard check}, one method per {@link Output}. */
final class CheckReports {
  private CheckReports() {}

  static void write(Output output, List<Checked> results, int policyCount, PrintWriter out) {
    switch (output) {
      case text -> text(results, policyCount, out);
      case json -> out.println(json(results, policyCount).toPrettyString());
      case junit -> out.print(junit(results));
      case github -> github(results, policyCount, out);
    }
  }

  /** {@code ConfigMap edge/bot-features}. */
  static String object(Target t) {
    return t.kind().kind()
        + " "
        + (t.namespace().isEmpty() ? t.name() : t.namespace() + "/" + t.name());
  }

  private static String summary(List<Checked> results, int policyCount) {
    long denied = results.stream().filter(r -> r.verdict().denied()).count();
    long warned =
        results.stream()
            .filter(r -> !r.verdict().denied() && !r.verdict().violations().isEmpty())
            .count();
    return String.format(
        "%d objects checked against %d policies: %d denied, %d with warnings or audit findings",
        results.size(), policyCount, denied, warned);
  }

  static void text(List<Checked> results, int policyCount, PrintWriter out) {
    for (Checked r : results) {
      List<Violation> violations = r.verdict().violations();
      if (violations.isEmpty()) {
        continue;
      }
      out.printf(
          "%s %s: %s (%s)%n",
          r.verdict().denied() ? "DENY" : "WARN",
          r.source(),
          object(r.target()),
          r.target().operation());
      for (Violation v : violations) {
        out.printf("  %-5s %s%n", v.enforcement().name().toLowerCase(Locale.ROOT), v.line());
      }
    }
    out.println(summary(results, policyCount));
  }

  static ObjectNode json(List<Checked> results, int policyCount) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode objects = root.putArray("objects");
    int denied = 0;
    for (Checked r : results) {
      Target t = r.target();
      ObjectNode o = objects.addObject();
      o.put("source", r.source())
          .put("file", r.doc().file().toString())
          .put("line", r.doc().line())
          .put(
              "apiVersion",
              t.kind().group().isEmpty()
                  ? t.kind().version()
                  : t.kind().group() + "/" + t.kind().version())
          .put("kind", t.kind().kind())
          .put("namespace", t.namespace())
          .put("name", t.name())
          .put("operation", t.operation().name())
          .put("allowed", !r.verdict().denied());
      ArrayNode violations = o.putArray("violations");
      for (Violation v : r.verdict().violations()) {
        violations
            .addObject()
            .put("policy", v.policy())
            .put("rule", v.rule())
            .put("enforcement", v.enforcement().name())
            .put("location", v.location())
            .put("message", v.message())
            .put("line", v.line());
      }
      denied += r.verdict().denied() ? 1 : 0;
    }
    root.putObject("summary")
        .put("objects", results.size())
        .put("policies", policyCount)
        .put("denied", denied)
        .put("violations", results.stream().mapToInt(r -> r.verdict().violations().size()).sum())
        .put(
            "denyViolations",
            results.stream().mapToInt(r -> r.verdict().with(Enforcement.Deny).size()).sum());
    return root;
  }

  /**
   * One test case per object and matching policy: a failure carries the policy's Deny lines, Warn
   * and Audit lines go to the case's system-out (JUnit has no "passed with a warning").
   */
  static String junit(List<Checked> results) {
    StringBuilder cases = new StringBuilder();
    int tests = 0;
    int failures = 0;
    for (Checked r : results) {
      for (String policy : r.policies()) {
        List<Violation> mine =
            r.verdict().violations().stream().filter(v -> v.policy().equals(policy)).toList();
        List<String> denials =
            mine.stream()
                .filter(v -> v.enforcement() == Enforcement.Deny)
                .map(Violation::line)
                .toList();
        List<String> others =
            mine.stream()
                .filter(v -> v.enforcement() != Enforcement.Deny)
                .map(v -> v.enforcement().name().toLowerCase(Locale.ROOT) + " " + v.line())
                .toList();
        tests++;
        cases.append(
            testcase(
                policy, object(r.target()) + " (" + r.source() + ")", denials, others, "Deny"));
        failures += denials.isEmpty() ? 0 : 1;
      }
    }
    return junitDocument("configguard check", tests, failures, cases);
  }

  static String testcase(
      String classname, String name, List<String> failures, List<String> out, String type) {
    StringBuilder c = new StringBuilder();
    c.append("    <testcase classname=\"")
        .append(Output.xml(classname))
        .append("\" name=\"")
        .append(Output.xml(name))
        .append("\">\n");
    if (!failures.isEmpty()) {
      c.append("      <failure message=\"")
          .append(Output.xml(failures.get(0)))
          .append("\" type=\"")
          .append(type)
          .append("\">")
          .append(Output.xml(String.join("\n", failures)))
          .append("</failure>\n");
    }
    if (!out.isEmpty()) {
      c.append("      <system-out>")
          .append(Output.xml(String.join("\n", out)))
          .append("</system-out>\n");
    }
    return c.append("    </testcase>\n").toString();
  }

  static String junitDocument(String name, int tests, int failures, CharSequence cases) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<testsuites name=\""
        + name
        + "\" tests=\""
        + tests
        + "\" failures=\""
        + failures
        + "\">\n"
        + "  <testsuite name=\""
        + name
        + "\" tests=\""
        + tests
        + "\" failures=\""
        + failures
        + "\" errors=\"0\" skipped=\"0\">\n"
        + cases
        + "  </testsuite>\n"
        + "</testsuites>\n";
  }

  /** Annotations at the line where each offending object starts, then the summary. */
  static void github(List<Checked> results, int policyCount, PrintWriter out) {
    for (Checked r : results) {
      for (Violation v : r.verdict().violations()) {
        String level =
            switch (v.enforcement()) {
              case Deny -> "error";
              case Warn -> "warning";
              default -> "notice";
            };
        out.println(
            Output.annotation(
                level,
                r.doc().file().toString(),
                r.doc().line(),
                v.policy() + "/" + v.rule(),
                object(r.target()) + ": " + v.line()));
      }
    }
    out.println(summary(results, policyCount));
  }
}
