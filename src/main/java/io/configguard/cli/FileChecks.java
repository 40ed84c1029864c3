package io.configguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.files.ManifestFiles;
import io.configguard.files.ManifestFiles.Document;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.configguard.policy.Verdicts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy files compiled and manifests judged against them as the webhook would: the one code path
 * behind {@code configguard check} and {@code configguard test}.
 */
final class FileChecks {
  /**
   * One manifest's outcome.
   *
   * @param policies ids of the policies that matched it, in evaluation order
   */
  record Checked(Document doc, Target target, Verdict verdict, List<String> policies) {
    String source() {
      return doc.source();
    }
  }

  /** Input that cannot be evaluated (exit 2); each message names the file. */
  static final class Unusable extends Exception {
    final List<String> messages;

    Unusable(List<String> messages) {
      super(String.join("\n", messages));
      this.messages = List.copyOf(messages);
    }

    Unusable(String message) {
      this(List.of(message));
    }
  }

  private FileChecks() {}

  /** Compiles every policy under {@code paths}; any policy that does not compile is an error. */
  static PolicySet compile(List<Path> paths, String namespace) throws Unusable {
    List<PolicyFiles.Definition> definitions;
    try {
      definitions = PolicyFiles.read(paths, namespace);
    } catch (ManifestFiles.UnreadableException e) {
      throw new Unusable(e.getMessage());
    }
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    List<Policy> compiled = new ArrayList<>();
    List<String> errors = new ArrayList<>();
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
    if (!errors.isEmpty()) {
      throw new Unusable(errors);
    }
    return PolicySet.of(compiled);
  }

  /**
   * Judges every manifest under {@code paths}: an UPDATE from its namesake under {@code old} (same
   * group, kind, namespace and name), a CREATE otherwise.
   */
  static List<Checked> run(PolicySet policies, List<Path> paths, List<Path> old, String namespace)
      throws Unusable {
    List<Document> manifests;
    Map<String, JsonNode> previous = new HashMap<>();
    try {
      manifests = ManifestFiles.read(paths);
      for (Document doc : ManifestFiles.read(old)) {
        previous.put(key(doc.node(), namespace), doc.node());
      }
    } catch (ManifestFiles.UnreadableException e) {
      throw new Unusable(e.getMessage());
    }
    Map<String, Map<String, String>> namespaceLabels = namespaceLabels(manifests);
    List<Checked> results = new ArrayList<>();
    for (Document doc : manifests) {
      JsonNode object = doc.node();
      if (object.path("kind").asText().isEmpty() || object.path("apiVersion").asText().isEmpty()) {
        throw new Unusable(doc.source() + ": not a Kubernetes object (no apiVersion/kind)");
      }
      String ns = Verdicts.namespaceOf(object, namespace);
      Target target =
          Verdicts.target(
              object,
              previous.get(key(object, namespace)),
              namespace,
              namespaceLabels.getOrDefault(ns, Map.of()));
      List<String> matching = policies.matching(target).stream().map(p -> p.ref().id()).toList();
      results.add(new Checked(doc, target, Verdicts.evaluate(policies, target), matching));
    }
    return results;
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

  private static String key(JsonNode object, String namespace) {
    return Verdicts.kindOf(object).group()
        + "/"
        + object.path("kind").asText()
        + "/"
        + Verdicts.namespaceOf(object, namespace)
        + "/"
        + object.path("metadata").path("name").asText();
  }
}
