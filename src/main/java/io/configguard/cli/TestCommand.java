package io.configguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Enforcement;
import io.configguard.cli.FileChecks.Checked;
import io.configguard.files.ManifestFiles;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Verdict;
import io.configguard.policy.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code configguard test}: runs the policy test suites ({@code configguard-test.yaml}) under the
 * given paths, judging their resources exactly as {@code check} does. Exit 0 = every expectation
 * met, 1 = one was not, 2 = a malformed suite or unreadable input.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Runs policy test suites: every " + TestCommand.SUITE + " under PATH.",
      "A suite names policies, resources, optional old versions, and what to expect of each"
          + " object: result allow|deny|warn and, optionally, exactly which rules fire.",
      "Exit status: 0 all expectations met, 1 one failed, 2 malformed suite or unreadable input."
    })
public class TestCommand implements Callable<Integer> {
  static final String SUITE = "configguard-test.yaml";
  static final int PASSED = 0;
  static final int FAILED = 1;
  static final int MALFORMED = 2;

  private static final Set<String> SUITE_FIELDS =
      Set.of("policies", "resources", "old", "namespace", "expect");
  private static final Set<String> EXPECT_FIELDS =
      Set.of("file", "kind", "namespace", "name", "result", "rules");
  private static final Set<String> RESULTS = Set.of("allow", "deny", "warn");

  @Option(
      names = "--output",
      defaultValue = "text",
      paramLabel = Output.LABEL,
      description =
          "Report format (default: ${DEFAULT-VALUE}): junit is one test case per expectation;"
              + " github annotates each failed expectation at its object's line.")
  Output output;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Suite files or folders searched for " + SUITE + ".")
  List<Path> paths;

  @Spec CommandSpec spec;

  /** A suite file, read and checked for shape; paths already resolved against its folder. */
  record Suite(
      Path file,
      List<Path> policies,
      List<Path> resources,
      List<Path> old,
      String namespace,
      List<Expectation> expect) {}

  /** What one object should get; null {@code file}/{@code namespace}/{@code rules} = any. */
  record Expectation(
      int index,
      Path file,
      String kind,
      String namespace,
      String name,
      String result,
      Set<String> rules) {
    String object() {
      return kind + " " + (namespace == null ? name : namespace + "/" + name);
    }
  }

  /** One expectation's outcome; {@code found} is the object it was checked against, if any. */
  record Outcome(
      Suite suite, Expectation expectation, boolean passed, String detail, Checked found) {
    String line() {
      return (passed ? "PASS " : "FAIL ")
          + suite.file()
          + ": "
          + expectation.object()
          + ": "
          + detail;
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      List<Suite> suites = new ArrayList<>();
      for (Path file : suiteFiles(paths)) {
        suites.add(read(file));
      }
      List<Outcome> outcomes = new ArrayList<>();
      for (Suite suite : suites) {
        outcomes.addAll(run(suite));
      }
      report(outcomes, out);
      out.flush();
      return outcomes.stream().allMatch(Outcome::passed) ? PASSED : FAILED;
    } catch (FileChecks.Unusable e) {
      e.messages.forEach(m -> err.println("configguard test: " + m));
      return MALFORMED;
    } catch (RuntimeException e) {
      // Exit 1 means "an expectation failed"; a suite that could not run must not look like one.
      err.println("configguard test: cannot run: " + e);
      return MALFORMED;
    }
  }

  static List<Path> suiteFiles(List<Path> paths) throws FileChecks.Unusable {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isRegularFile(path)) {
        files.add(path);
        continue;
      }
      if (!Files.isDirectory(path)) {
        throw new FileChecks.Unusable(path + ": no such file or directory");
      }
      try (Stream<Path> walk = Files.walk(path)) {
        List<Path> found =
            walk.filter(p -> p.getFileName().toString().equals(SUITE))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
        if (found.isEmpty()) {
          throw new FileChecks.Unusable(path + ": no " + SUITE + " found");
        }
        files.addAll(found);
      } catch (IOException e) {
        throw new FileChecks.Unusable(path + ": " + e.getMessage());
      }
    }
    return files;
  }

  /** Reads a suite; any field of the wrong shape is an error naming the field and the file. */
  static Suite read(Path file) throws FileChecks.Unusable {
    List<ManifestFiles.Document> docs;
    try {
      docs = ManifestFiles.read(List.of(file));
    } catch (ManifestFiles.UnreadableException e) {
      throw new FileChecks.Unusable(e.getMessage());
    }
    if (docs.size() != 1) {
      throw malformed(file, "(file)", "must hold exactly one YAML document");
    }
    JsonNode root = docs.get(0).node();
    unknownFields(file, root, SUITE_FIELDS, "");
    Path dir = file.toAbsolutePath().getParent();
    List<Path> policies = paths(file, dir, root, "policies", true);
    List<Path> resources = paths(file, dir, root, "resources", true);
    List<Path> old = paths(file, dir, root, "old", false);
    String namespace = text(file, root, "namespace", "", "default");
    JsonNode expect = root.path("expect");
    if (!expect.isArray() || expect.isEmpty()) {
      throw malformed(file, "expect", "required: a list of expectations");
    }
    List<Expectation> expectations = new ArrayList<>();
    for (int i = 0; i < expect.size(); i++) {
      JsonNode e = expect.get(i);
      String at = "expect[" + i + "].";
      if (!e.isObject()) {
        throw malformed(file, "expect[" + i + "]", "must be an object");
      }
      unknownFields(file, e, EXPECT_FIELDS, at);
      String kind = text(file, e, "kind", at, null);
      String name = text(file, e, "name", at, null);
      String result = text(file, e, "result", at, null);
      if (!RESULTS.contains(result)) {
        throw malformed(file, at + "result", "must be allow, deny or warn, not \"" + result + "\"");
      }
      String objectFile = text(file, e, "file", at, "");
      String ns = text(file, e, "namespace", at, "");
      Set<String> rules = null;
      if (e.has("rules")) {
        if (!e.get("rules").isArray()) {
          throw malformed(file, at + "rules", "must be a list of rule names");
        }
        rules = new TreeSet<>();
        for (JsonNode r : e.get("rules")) {
          if (!r.isTextual() || r.asText().isEmpty()) {
            throw malformed(file, at + "rules", "must be a list of rule names");
          }
          rules.add(r.asText());
        }
      }
      expectations.add(
          new Expectation(
              i,
              objectFile.isEmpty() ? null : dir.resolve(objectFile).normalize(),
              kind,
              ns.isEmpty() ? null : ns,
              name,
              result,
              rules));
    }
    return new Suite(file, policies, resources, old, namespace, expectations);
  }

  private static void unknownFields(Path file, JsonNode node, Set<String> known, String at)
      throws FileChecks.Unusable {
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw malformed(file, at + field, "unknown field (known: " + new TreeSet<>(known) + ")");
      }
    }
  }

  private static String text(Path file, JsonNode node, String field, String at, String fallback)
      throws FileChecks.Unusable {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        throw malformed(file, at + field, "required");
      }
      return fallback;
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw malformed(file, at + field, "must be a non-empty string");
    }
    return value.asText();
  }

  private static List<Path> paths(
      Path file, Path dir, JsonNode root, String field, boolean required)
      throws FileChecks.Unusable {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw malformed(file, field, "required: a list of files or folders");
      }
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    for (JsonNode p : value.isArray() ? value : JsonNodeFactory.instance.arrayNode().add(value)) {
      if (!p.isTextual() || p.asText().isEmpty()) {
        throw malformed(file, field, "must be a list of files or folders");
      }
      Path resolved = dir.resolve(p.asText()).normalize();
      if (!Files.exists(resolved)) {
        throw malformed(file, field, p.asText() + ": no such file or directory");
      }
      out.add(resolved);
    }
    if (required && out.isEmpty()) {
      throw malformed(file, field, "required: a list of files or folders");
    }
    return out;
  }

  private static FileChecks.Unusable malformed(Path file, String field, String message) {
    return new FileChecks.Unusable(file + ": " + field + ": " + message);
  }

  /** Judges the suite's resources once and holds each expectation against the result. */
  static List<Outcome> run(Suite suite) throws FileChecks.Unusable {
    List<Checked> results;
    try {
      PolicySet policies = FileChecks.compile(suite.policies(), suite.namespace());
      results = FileChecks.run(policies, suite.resources(), suite.old(), suite.namespace());
    } catch (FileChecks.Unusable e) {
      throw new FileChecks.Unusable(e.messages.stream().map(m -> suite.file() + ": " + m).toList());
    }
    return suite.expect().stream().map(e -> judge(suite, e, results)).toList();
  }

  static Outcome judge(Suite suite, Expectation e, List<Checked> results) {
    List<Checked> found =
        results.stream()
            .filter(r -> r.target().kind().kind().equals(e.kind()))
            .filter(r -> r.target().name().equals(e.name()))
            .filter(r -> e.namespace() == null || r.target().namespace().equals(e.namespace()))
            .filter(
                r ->
                    e.file() == null
                        || r.doc().file().toAbsolutePath().normalize().equals(e.file()))
            .toList();
    if (found.size() != 1) {
      String detail =
          found.isEmpty()
              ? "no such object among the suite's resources"
              : found.size()
                  + " objects match ("
                  + String.join(", ", found.stream().map(Checked::source).toList())
                  + "); name a file";
      return new Outcome(suite, e, false, detail, null);
    }
    Checked checked = found.get(0);
    String result = result(checked.verdict());
    Set<String> fired = new TreeSet<>();
    checked.verdict().violations().forEach(v -> fired.add(v.rule()));
    List<String> differences = new ArrayList<>();
    if (!result.equals(e.result())) {
      differences.add("result " + result + ", expected " + e.result());
    }
    if (e.rules() != null && !fired.equals(e.rules())) {
      Set<String> missing = new TreeSet<>(e.rules());
      missing.removeAll(fired);
      Set<String> unexpected = new TreeSet<>(fired);
      unexpected.removeAll(e.rules());
      differences.add(
          "rules "
              + fired
              + ", expected "
              + e.rules()
              + (missing.isEmpty() ? "" : "; did not fire: " + missing)
              + (unexpected.isEmpty() ? "" : "; also fired: " + unexpected));
    }
    if (differences.isEmpty()) {
      return new Outcome(suite, e, true, result + " " + fired, checked);
    }
    List<String> lines = new ArrayList<>(differences);
    checked.verdict().violations().forEach(v -> lines.add(v.line()));
    return new Outcome(suite, e, false, String.join("\n    ", lines), checked);
  }

  /** deny if a Deny violation, warn if a Warn one, allow otherwise (Audit findings admit). */
  static String result(Verdict verdict) {
    if (verdict.denied()) {
      return "deny";
    }
    return verdict.with(Enforcement.Warn).isEmpty() ? "allow" : "warn";
  }

  private void report(List<Outcome> outcomes, PrintWriter out) {
    long passed = outcomes.stream().filter(Outcome::passed).count();
    String summary = passed + " passed, " + (outcomes.size() - passed) + " failed";
    switch (output) {
      case text -> {
        outcomes.forEach(o -> out.println(o.line()));
        out.println(summary);
      }
      case json -> out.println(json(outcomes, passed).toPrettyString());
      case junit -> {
        StringBuilder cases = new StringBuilder();
        for (Outcome o : outcomes) {
          cases.append(
              CheckReports.testcase(
                  o.suite().file().toString(),
                  "expect[" + o.expectation().index() + "] " + o.expectation().object(),
                  o.passed() ? List.of() : List.of(o.detail()),
                  o.passed() ? List.of(o.detail()) : List.of(),
                  "Expectation"));
        }
        out.print(
            CheckReports.junitDocument(
                "configguard test", outcomes.size(), (int) (outcomes.size() - passed), cases));
      }
      case github -> {
        for (Outcome o : outcomes) {
          if (!o.passed()) {
            Checked c = o.found();
            out.println(
                Output.annotation(
                    "error",
                    (c == null ? o.suite().file() : c.doc().file()).toString(),
                    c == null ? 1 : c.doc().line(),
                    "configguard test " + o.suite().file(),
                    o.expectation().object() + ": " + o.detail()));
          }
        }
        out.println(summary);
      }
    }
  }

  private static ObjectNode json(List<Outcome> outcomes, long passed) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode list = root.putArray("expectations");
    for (Outcome o : outcomes) {
      Expectation e = o.expectation();
      ObjectNode n =
          list.addObject()
              .put("suite", o.suite().file().toString())
              .put("index", e.index())
              .put("kind", e.kind())
              .put("name", e.name())
              .put("passed", o.passed())
              .put("expected", e.result());
      if (e.namespace() != null) {
        n.put("namespace", e.namespace());
      }
      if (o.found() != null) {
        n.put("source", o.found().source())
            .put("line", o.found().doc().line())
            .put("result", result(o.found().verdict()));
        ArrayNode fired = n.putArray("violations");
        for (Violation v : o.found().verdict().violations()) {
          fired
              .addObject()
              .put("policy", v.policy())
              .put("rule", v.rule())
              .put("enforcement", v.enforcement().name().toLowerCase(Locale.ROOT))
              .put("line", v.line());
        }
      }
      n.put("detail", o.detail());
    }
    root.putObject("summary").put("passed", passed).put("failed", outcomes.size() - passed);
    return root;
  }
}
