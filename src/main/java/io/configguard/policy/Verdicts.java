package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where an object becomes a {@link Target} and a {@link Verdict} becomes the lines
 * users read, shared by the webhook and {@code configguard check} so both say the same thing.
 */
public final class Verdicts {
  // A quote left open (a value cut short) runs to the end of the line: it is redacted too.
  private static final Pattern QUOTED = Pattern.compile("(?m)\"[^\"\n]*(\"|$)|'[^'\n]*('|$)");
  private static final Pattern TOKEN = Pattern.compile("[^\\s\"'`,;:()\\[\\]{}<>]{4,}");
  private static final String REDACTED = "<redacted>";

  private Verdicts() {}

  /**
   * The target of a manifest, evaluated as the API server would see it applied: an UPDATE when the
   * previously deployed version is known, a CREATE otherwise.
   */
  public static Target target(
      JsonNode object,
      JsonNode oldObject,
      String defaultNamespace,
      Map<String, String> namespaceLabels) {
    ObjectKind kind = kindOf(object);
    String namespace = namespaceOf(object, defaultNamespace);
    String name = object.path("metadata").path("name").asText("");
    Operation operation = oldObject == null ? Operation.CREATE : Operation.UPDATE;
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request
        .putObject("kind")
        .put("group", kind.group())
        .put("version", kind.version())
        .put("kind", kind.kind());
    request.put("name", name).put("namespace", namespace).put("operation", operation.name());
    request.put("dryRun", true);
    return new Target(
        kind, namespace, name, operation, object, oldObject, request, namespaceLabels);
  }

  /** Group, version and kind from a manifest's apiVersion and kind. */
  public static ObjectKind kindOf(JsonNode object) {
    return ObjectKind.of(object);
  }

  public static String namespaceOf(JsonNode object, String defaultNamespace) {
    String namespace = object.path("metadata").path("namespace").asText("");
    return namespace.isEmpty() ? defaultNamespace : namespace;
  }

  /**
   * Evaluates a target. For a Secret, every violation is redacted: quoted text and any fragment of
   * a secret value are replaced, so no value ever reaches a response, a log or a CI report.
   */
  public static Verdict evaluate(PolicySet policies, Target target) {
    return evaluate(policies, target, Instant.now());
  }

  /** As {@link #evaluate(PolicySet, Target)}, honouring the policy exceptions unexpired at now. */
  public static Verdict evaluate(PolicySet policies, Target target, Instant now) {
    Verdict verdict = policies.evaluate(target, now);
    if (verdict.violations().isEmpty() || !isSecret(target.kind())) {
      return verdict;
    }
    Set<String> secrets = new HashSet<>();
    secretValues(target.object(), secrets);
    secretValues(target.oldObject(), secrets);
    return new Verdict(
        verdict.violations().stream().map(v -> redact(v, secrets)).toList(), verdict.exemptions());
  }

  /** One line per violation, in the verdict's order: policy/rule first. */
  public static List<String> lines(List<Violation> violations) {
    return violations.stream().map(Violation::line).toList();
  }

  static boolean isSecret(ObjectKind kind) {
    return kind.group().isEmpty() && kind.kind().equals("Secret");
  }

  private static void secretValues(JsonNode secret, Set<String> into) {
    if (secret == null) {
      return;
    }
    secret
        .path("data")
        .forEach(
            v -> {
              into.add(v.asText());
              try {
                into.add(
                    new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8));
              } catch (IllegalArgumentException notBase64) {
                // the raw value is already covered
              }
            });
    secret.path("stringData").forEach(v -> into.add(v.asText()));
    into.removeIf(s -> s.length() < 4);
  }

  static Violation redact(Violation v, Set<String> secrets) {
    return new Violation(
        v.policy(),
        v.rule(),
        v.enforcement(),
        scrub(v.location(), secrets),
        scrub(QUOTED.matcher(v.message()).replaceAll("\"" + REDACTED + "\""), secrets));
  }

  private static String scrub(String text, Set<String> secrets) {
    Matcher token = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (token.find()) {
      String t = token.group();
      boolean leaks = secrets.stream().anyMatch(s -> s.contains(t) || t.contains(s));
      token.appendReplacement(out, Matcher.quoteReplacement(leaks ? REDACTED : t));
    }
    token.appendTail(out);
    return out.toString();
  }
}
