package io.configguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.admission.ManifestFiles;
import io.configguard.admission.ManifestFiles.Document;
import io.configguard.admission.PolicyFiles;
import io.configguard.admission.Verdicts;
import io.configguard.api.Enforcement;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.configguard.policy.Violation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code configguard check}: evaluates manifests against policies with the webhook's engine and
 * lines, for CI and GitOps pipelines. Exit 0 = no Deny violation, 1 = a Deny violation, 2 = usage
 * error or unreadable input (including a policy that does not compile).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks Kubernetes manifests against configguard policies, as the webhook would.",
      "Exit status: 0 no Deny violation, 1 a Deny violation, 2 usage error, unreadable input"
          + " or a policy that does not compile."
    })
public class CheckCommand implements Callable<Integer> {
  static final int PASS = 0;
  static final int DENIED = 1;
  static final int UNREADABLE = 2;

  /** Output formats. */
  enum Output {
    text,
    json
  }

  @Option(
      names = "--policies",
      required = true,
      split = ",",
      paramLabel = "DIR|FILE",
      description = "ConfigPolicy/ClusterConfigPolicy files or folders (repeatable).")
  List<Path> policies;

  @Option(
      names = "--old",
      split = ",",
      paramLabel = "DIR|FILE",
      description =
          "Previously deployed manifests, matched by kind/namespace/name: a match makes the"
              + " check an UPDATE, so growth, shrink and immutable rules apply.")
  List<Path> old = List.of();

  @Option(
      names = "--output",
      defaultValue = "text",
      paramLabel = "text|json",
      description = "Report format (default: ${DEFAULT-VALUE}).")
  Output output;

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description = "Namespace of objects that name none (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Manifest files or folders.")
  List<Path> paths;

  @Spec CommandSpec spec;

  /** One manifest's outcome. */
  record Checked(String source, Target target, Verdict verdict) {}

  @Override
  public Integer call() {
    try {
      return check(spec.commandLine().getOut(), spec.commandLine().getErr());
    } catch (RuntimeException e) {
      // Exit 1 means "denied" to a pipeline; a check that could not run must not look like one.
      spec.commandLine().getErr().println("configguard check: cannot evaluate: " + e);
      return UNREADABLE;
    }
  }

  private int check(PrintWriter out, PrintWriter err) {
    PolicySet policySet;
    List<Document> manifests;
    Map<String, JsonNode> previous = new HashMap<>();
    try {
      List<String> errors = new ArrayList<>();
      policySet = compile(PolicyFiles.read(policies, namespace), errors);
      if (!errors.isEmpty()) {
        errors.forEach(e -> err.println("configguard check: " + e));
        return UNREADABLE;
      }
      manifests = ManifestFiles.read(paths);
      for (Document doc : ManifestFiles.read(old)) {
        previous.put(key(doc.node()), doc.node());
      }
    } catch (ManifestFiles.UnreadableException e) {
      err.println("configguard check: " + e.getMessage());
      return UNREADABLE;
    }
    Map<String, Map<String, String>> namespaceLabels = namespaceLabels(manifests);
    List<Checked> results = new ArrayList<>();
    for (Document doc : manifests) {
      JsonNode object = doc.node();
      if (object.path("kind").asText().isEmpty() || object.path("apiVersion").asText().isEmpty()) {
        err.println(
            "configguard check: "
                + doc.source()
                + ": not a Kubernetes object (no apiVersion/kind)");
        return UNREADABLE;
      }
      String ns = Verdicts.namespaceOf(object, namespace);
      Target target =
          Verdicts.target(
              object,
              previous.get(key(object)),
              namespace,
              namespaceLabels.getOrDefault(ns, Map.of()));
      results.add(new Checked(doc.source(), target, Verdicts.evaluate(policySet, target)));
    }
    if (output == Output.json) {
      out.println(json(results, policySet.size()).toPrettyString());
    } else {
      text(results, policySet.size(), out);
    }
    out.flush();
    return results.stream().anyMatch(r -> r.verdict().denied()) ? DENIED : PASS;
  }

  private static PolicySet compile(List<PolicyFiles.Definition> definitions, List<String> errors) {
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    List<Policy> compiled = new ArrayList<>();
    for (PolicyFiles.Definition d : definitions) {
      List<String> reasons = d.errors();
      if (reasons.isEmpty()) {
        try {
          compiled.add(compiler.compile(d.ref(), d.spec()));
        } catch (InvalidPolicyException e) {
          reasons = e.reasons();
        } catch (RuntimeException e) {
          reasons = List.of("spec: cannot be compiled: " + e);
        }
      }
      reasons.forEach(
          r -> errors.add(d.source() + ": " + d.ref().kind() + " " + d.ref().id() + ": " + r));
    }
    return PolicySet.of(compiled);
  }

  /** Labels of the Namespace objects among the manifests, for namespaceSelector. */
  private static Map<String, Map<String, String>> namespaceLabels(List<Document> manifests) {
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (Document doc : manifests) {
      JsonNode node = doc.node();
      if (node.path("kind").asText().equals("Namespace")
          && node.path("apiVersion").asText().equals("v1")) {
        Map<String, String> map = new HashMap<>();
        node.path("metadata")
            .path("labels")
            .properties()
            .forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        labels.put(node.path("metadata").path("name").asText(), map);
      }
    }
    return labels;
  }

  private String key(JsonNode object) {
    return Verdicts.kindOf(object).group()
        + "/"
        + object.path("kind").asText()
        + "/"
        + Verdicts.namespaceOf(object, namespace)
        + "/"
        + object.path("metadata").path("name").asText();
  }

  private static void text(List<Checked> results, int policyCount, PrintWriter out) {
    int denied = 0;
    int warned = 0;
    for (Checked r : results) {
      List<Violation> violations = r.verdict().violations();
      if (violations.isEmpty() && r.verdict().exemptions().isEmpty()) {
        continue;
      }
      Target t = r.target();
      out.printf(
          "%s %s: %s %s (%s)%n",
          r.verdict().denied() ? "DENY" : "WARN",
          r.source(),
          t.kind().kind(),
          t.namespace().isEmpty() ? t.name() : t.namespace() + "/" + t.name(),
          t.operation());
      for (Violation v : violations) {
        out.printf("  %-5s %s%n", v.enforcement().name().toLowerCase(Locale.ROOT), v.line());
      }
      r.verdict().exemptions().forEach(e -> out.printf("  %-5s %s%n", "exempt", e.line()));
      denied += r.verdict().denied() ? 1 : 0;
      warned += r.verdict().denied() ? 0 : 1;
    }
    out.printf(
        "%d objects checked against %d policies: %d denied, %d with warnings or audit findings%n",
        results.size(), policyCount, denied, warned);
  }

  private static ObjectNode json(List<Checked> results, int policyCount) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode objects = root.putArray("objects");
    int denied = 0;
    for (Checked r : results) {
      Target t = r.target();
      ObjectNode o = objects.addObject();
      o.put("source", r.source())
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
      ArrayNode exemptions = o.putArray("exemptions");
      r.verdict().exemptions().forEach(e -> exemptions.add(e.line()));
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
}
