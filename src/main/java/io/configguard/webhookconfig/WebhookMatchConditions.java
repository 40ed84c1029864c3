package io.configguard.webhookconfig;

import io.configguard.api.ConfigPolicy;
import io.configguard.api.Operation;
import io.configguard.discovery.ApiResources;
import io.configguard.policy.ObjectKind;
import io.configguard.rollout.RolloutKeys;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.configguard.webhookconfig.WebhookRules.Requirement;
import io.configguard.webhookconfig.WebhookRules.Scope;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchConditionBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code matchConditions} (CEL, admissionregistration.k8s.io/v1) that let the API server skip
 * the webhook for writes no policy or freeze could judge, so that a configguard that is down blocks
 * only guarded writes.
 *
 * <p>The API server ANDs a webhook's conditions and calls the webhook when all are true; a
 * condition that errors counts as the failurePolicy says (Fail: the write is refused). So the
 * guards are ORed inside ONE expression ({@link #GUARDED}), and every expression is written so that
 * it cannot error on any request: each optional field is tested with {@code has()} first, {@code
 * object} is null on DELETE and {@code oldObject} on CREATE. Whatever cannot be said exactly in CEL
 * (a namespace selector on labels, a glob with a character outside object names) is left out, which
 * makes the webhook see more, never less.
 *
 * <p>Names are read from {@code request.name}, the name the engine matches globs against. A CREATE
 * with {@code generateName} and no name has none yet there: it is always sent.
 *
 * <p>Limits of the API server (Kubernetes 1.28+): at most 64 conditions per webhook, each
 * evaluation at most {@code PerCallLimit} = 1,000,000 cost units and the conditions of one webhook
 * {@code RuntimeCELCostBudgetMatchConditions} together (k8s.io/apiserver/pkg/apis/cel/config.go).
 * configguard writes at most two conditions and bounds the guard expression to {@link
 * #MAX_EXPRESSION_LENGTH} characters; beyond that it first merges the guards per kind (names only),
 * then gives up on the guard (rules alone decide, as before matchConditions).
 */
public final class WebhookMatchConditions {
  /** Name of the condition that ORs every guard. */
  public static final String GUARDED = "guarded-by-configguard";

  /**
   * Name of the condition that leaves a rollout's derived ConfigMaps to the tracks webhook, so no
   * write is sent twice.
   */
  public static final String NOT_A_TRACK = "not-a-rollout-track";

  /**
   * Longest guard expression written. Each term costs a few units per evaluation plus a tenth of a
   * unit per character compared; 16,384 characters are far below the per-call limit.
   */
  public static final int MAX_EXPRESSION_LENGTH = 16_384;

  static final String NAME = "request.name";
  private static final Set<Operation> ALL_WRITES =
      EnumSet.of(Operation.CREATE, Operation.UPDATE, Operation.DELETE);

  private WebhookMatchConditions() {}

  /** How precisely the guard could be written. */
  public enum Precision {
    /** One term per policy or freeze: names, selectors, namespaces, operations. */
    EXACT,
    /** Too long: one term per kind, with the union of names. */
    PER_KIND,
    /** Still too long: no guard, the rules alone decide. */
    NONE
  }

  /** The guard condition, and how precise it is. */
  public record Guard(MatchCondition condition, Precision precision) {}

  /**
   * The condition for the main webhook: configguard's own kinds, or any need that could judge the
   * request. Empty (with {@link Precision#NONE}) when even the merged form is too long.
   */
  public static Guard guard(Collection<Need> needs) {
    return guard(needs, MAX_EXPRESSION_LENGTH);
  }

  static Guard guard(Collection<Need> needs, int maxLength) {
    String exact = exact(needs);
    if (exact.length() <= maxLength) {
      return new Guard(condition(GUARDED, exact), Precision.EXACT);
    }
    String merged = perKind(needs);
    if (merged.length() <= maxLength) {
      return new Guard(condition(GUARDED, merged), Precision.PER_KIND);
    }
    return new Guard(null, Precision.NONE);
  }

  /**
   * The condition for the main webhook when the tracks webhook exists: a ConfigMap labelled {@link
   * RolloutKeys#ROLLOUT} (in object or oldObject) goes to the tracks webhook only.
   */
  public static MatchCondition notATrack() {
    return condition(
        NOT_A_TRACK,
        "!("
            + kind(new ObjectKind("", "*", "ConfigMap"))
            + " && ("
            + hasLabel("object", RolloutKeys.ROLLOUT)
            + " || "
            + hasLabel("oldObject", RolloutKeys.ROLLOUT)
            + "))");
  }

  private static MatchCondition condition(String name, String expression) {
    return new MatchConditionBuilder().withName(name).withExpression(expression).build();
  }

  private static String exact(Collection<Need> needs) {
    Set<String> terms = new LinkedHashSet<>();
    terms.add(ownKinds());
    // Sorted, so an unchanged set of policies gives an equal expression whatever the order.
    Set<String> sorted = new TreeSet<>();
    for (Need need : needs) {
      if (!need.operations().isEmpty()) {
        sorted.add(term(need));
      }
    }
    terms.addAll(sorted);
    return or(terms);
  }

  private static String perKind(Collection<Need> needs) {
    // kind -> globs; an empty set means every name of the kind.
    Map<String, Set<String>> byKind = new TreeMap<>();
    for (Need need : needs) {
      if (need.operations().isEmpty()) {
        continue;
      }
      for (ObjectKind k : need.kinds()) {
        String kind = kind(k);
        Set<String> globs = byKind.get(kind);
        if (need.scope().names().isEmpty() || (globs != null && globs.isEmpty())) {
          byKind.put(kind, Set.of());
        } else {
          Set<String> merged = globs == null ? new TreeSet<>() : new TreeSet<>(globs);
          merged.addAll(need.scope().names());
          byKind.put(kind, merged);
        }
      }
    }
    Set<String> terms = new LinkedHashSet<>();
    terms.add(ownKinds());
    byKind.forEach((kind, globs) -> terms.add(and(List.of(kind, names(List.copyOf(globs))))));
    return or(terms);
  }

  private static String ownKinds() {
    return "request.kind.group == " + Cel.string(ConfigPolicy.GROUP);
  }

  /** One need: kind and operation and namespace and name and labels. */
  static String term(Need need) {
    List<String> parts = new ArrayList<>();
    Set<String> kinds = new TreeSet<>();
    for (ObjectKind k : need.kinds()) {
      kinds.add(kind(k));
    }
    parts.add(kinds.contains("true") ? "true" : or(kinds));
    if (!need.operations().containsAll(ALL_WRITES)) {
      parts.add(
          "request.operation in "
              + Cel.list(need.operations().stream().map(Enum::name).sorted().toList()));
    }
    Scope scope = need.scope();
    if (scope.namespace() != null) {
      parts.add(
          "(has(request.namespace) && request.namespace == " + Cel.string(scope.namespace()) + ")");
    }
    if (scope.namespaces() != null) {
      // Cluster-scoped objects have no namespace to select on; the engine matches them.
      parts.add(
          "(!has(request.namespace) || request.namespace == '' || request.namespace in "
              + Cel.list(List.copyOf(new TreeSet<>(scope.namespaces())))
              + ")");
    }
    parts.add(names(scope.names()));
    if (!scope.objectSelector().isEmpty()) {
      // The engine selects when the object or the old object matches (as the API server does
      // for a webhook's objectSelector), so an update that drops the label is still sent.
      parts.add(
          "((object == null && oldObject == null) || (object != null && "
              + selector("object", scope.objectSelector())
              + ") || (oldObject != null && "
              + selector("oldObject", scope.objectSelector())
              + "))");
    }
    return and(parts);
  }

  /** The request's kind is {@code k} (any version: the rules already chose the versions). */
  static String kind(ObjectKind k) {
    List<String> parts = new ArrayList<>();
    if (!k.group().equals(ApiResources.ANY)) {
      parts.add("request.kind.group == " + Cel.string(k.group()));
    }
    if (!k.kind().equals(ApiResources.ANY)) {
      parts.add("request.kind.kind == " + Cel.string(k.kind()));
    }
    return parts.isEmpty() ? "true" : and(parts);
  }

  /** Any glob matches the request's name; a request without a name yet is always in. */
  static String names(List<String> globs) {
    if (globs.isEmpty()) {
      return "true";
    }
    Set<String> terms = new LinkedHashSet<>();
    for (String glob : new TreeSet<>(globs)) {
      String test = Cel.glob(NAME, glob);
      if (test == null) {
        return "true";
      }
      terms.add(test);
    }
    return "(!has(request.name) || request.name == '' || " + or(terms) + ")";
  }

  private static String selector(String object, List<Requirement> requirements) {
    List<String> parts = new ArrayList<>();
    String labels = object + ".metadata.labels";
    String has = "has(" + labels + ")";
    for (Requirement r : requirements) {
      String key = Cel.string(r.key());
      String present = "(" + has + " && " + key + " in " + labels + ")";
      String value = labels + "[" + key + "]";
      switch (r.operator()) {
        case "In" ->
            parts.add("(" + present + " && " + value + " in " + Cel.list(r.values()) + ")");
        case "NotIn" ->
            parts.add("(!" + present + " || !(" + value + " in " + Cel.list(r.values()) + "))");
        case "Exists" -> parts.add(present);
        case "DoesNotExist" -> parts.add("!" + present);
        default -> parts.add("true");
      }
    }
    return and(parts);
  }

  private static String hasLabel(String object, String key) {
    return "("
        + object
        + " != null && has("
        + object
        + ".metadata.labels) && "
        + Cel.string(key)
        + " in "
        + object
        + ".metadata.labels)";
  }

  private static String and(Collection<String> parts) {
    List<String> kept = parts.stream().filter(p -> !p.equals("true")).toList();
    if (kept.isEmpty()) {
      return "true";
    }
    return kept.size() == 1 ? kept.get(0) : "(" + String.join(" && ", kept) + ")";
  }

  private static String or(Collection<String> parts) {
    if (parts.contains("true")) {
      return "true";
    }
    List<String> kept = List.copyOf(parts);
    if (kept.isEmpty()) {
      return "false";
    }
    return kept.size() == 1 ? kept.get(0) : "(" + String.join(" || ", kept) + ")";
  }

  /** CEL literals and glob translation; every string that reaches CEL goes through here. */
  static final class Cel {
    private Cel() {}

    /** A CEL string literal of {@code s}, single-quoted, every special character escaped. */
    static String string(String s) {
      StringBuilder out = new StringBuilder("'");
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' || c == '\'' || c == '"') {
          out.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7e) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      return out.append('\'').toString();
    }

    static String list(List<String> values) {
      return "[" + String.join(", ", values.stream().map(Cel::string).toList()) + "]";
    }

    /**
     * A CEL test that {@code subject} (a string) matches the glob (* any run, ? one character), or
     * null when the glob has a character that cannot be in an object name (then it is not
     * translated and the caller must not restrict on names).
     */
    static String glob(String subject, String glob) {
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        boolean nameChar = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!nameChar && c != '*' && c != '?') {
          return null;
        }
      }
      if (glob.chars().allMatch(c -> c == '*')) {
        return "true";
      }
      boolean question = glob.indexOf('?') >= 0;
      int stars = (int) glob.chars().filter(c -> c == '*').count();
      if (!question && stars == 0) {
        return subject + " == " + string(glob);
      }
      if (!question && stars == 1) {
        int at = glob.indexOf('*');
        String prefix = glob.substring(0, at);
        String suffix = glob.substring(at + 1);
        if (suffix.isEmpty()) {
          return subject + ".startsWith(" + string(prefix) + ")";
        }
        if (prefix.isEmpty()) {
          return subject + ".endsWith(" + string(suffix) + ")";
        }
        // The size test keeps prefix and suffix from overlapping ("ab*ba" must not match "aba").
        return "("
            + subject
            + ".startsWith("
            + string(prefix)
            + ") && "
            + subject
            + ".endsWith("
            + string(suffix)
            + ") && size("
            + subject
            + ") >= "
            + (prefix.length() + suffix.length())
            + ")";
      }
      if (!question
          && stars == 2
          && glob.startsWith("*")
          && glob.endsWith("*")
          && glob.length() > 2) {
        return subject + ".contains(" + string(glob.substring(1, glob.length() - 1)) + ")";
      }
      StringBuilder regex = new StringBuilder("^");
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        switch (c) {
          case '*' -> regex.append(".*");
          case '?' -> regex.append('.');
          case '.' -> regex.append("[.]");
          default -> regex.append(c);
        }
      }
      return subject + ".matches(" + string(regex.append('$').toString()) + ")";
    }
  }
}
