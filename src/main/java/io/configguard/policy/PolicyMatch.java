package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Match;
import io.configguard.api.Operation;
import io.configguard.api.ResourceKinds;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A policy's compiled match: kinds, operations, name globs, object and namespace selectors, and the
 * namespace a ConfigPolicy is confined to.
 */
final class PolicyMatch {
  static final String ANY = "*";
  private static final Set<Operation> DEFAULT_OPERATIONS =
      EnumSet.of(Operation.CREATE, Operation.UPDATE);

  /** One entry of match.resources; empty sets mean any. */
  record Kinds(Set<String> groups, Set<String> versions, Set<String> kinds) {
    boolean matches(ObjectKind kind) {
      return any(groups, kind.group()) && any(versions, kind.version()) && any(kinds, kind.kind());
    }

    private static boolean any(Set<String> allowed, String value) {
      return allowed.contains(ANY) || allowed.contains(value);
    }
  }

  private final List<Kinds> resources;
  private final Set<Operation> operations;
  private final List<Glob> names;
  private final LabelSelector objectSelector;
  private final LabelSelector namespaceSelector;
  private final String namespace;

  private PolicyMatch(
      List<Kinds> resources,
      Set<Operation> operations,
      List<Glob> names,
      LabelSelector objectSelector,
      LabelSelector namespaceSelector,
      String namespace) {
    this.resources = resources;
    this.operations = operations;
    this.names = names;
    this.objectSelector = objectSelector;
    this.namespaceSelector = namespaceSelector;
    this.namespace = namespace;
  }

  static PolicyMatch compile(Match match, PolicyRef ref, List<String> reasons) {
    Match m = match == null ? new Match() : match;
    List<Kinds> resources = new ArrayList<>();
    if (m.resources == null || m.resources.isEmpty()) {
      resources.add(new Kinds(Set.of(""), Set.of(ANY), Set.of("ConfigMap")));
    } else {
      for (int i = 0; i < m.resources.size(); i++) {
        Kinds kinds = kinds(m.resources.get(i), "spec.match.resources[" + i + "]", reasons);
        if (kinds != null) {
          resources.add(kinds);
        }
      }
    }
    Set<Operation> operations = EnumSet.noneOf(Operation.class);
    if (m.operations == null || m.operations.isEmpty()) {
      operations.addAll(DEFAULT_OPERATIONS);
    } else {
      for (int i = 0; i < m.operations.size(); i++) {
        if (m.operations.get(i) == null) {
          reasons.add("spec.match.operations[" + i + "]: not one of CREATE, UPDATE, DELETE");
        } else {
          operations.add(m.operations.get(i));
        }
      }
    }
    List<Glob> names = new ArrayList<>();
    if (m.names != null) {
      for (int i = 0; i < m.names.size(); i++) {
        String problem = Glob.problem(m.names.get(i), "an object name", Glob.CharClass.OBJECT_NAME);
        if (problem != null) {
          reasons.add("spec.match.names[" + i + "]: " + problem);
        } else {
          names.add(Glob.of(m.names.get(i)));
        }
      }
    }
    LabelSelector objects =
        LabelSelector.compile(m.objectSelector, "spec.match.objectSelector", reasons);
    LabelSelector namespaces =
        LabelSelector.compile(m.namespaceSelector, "spec.match.namespaceSelector", reasons);
    if (ref.namespace() != null && m.namespaceSelector != null && !namespaces.isEverything()) {
      reasons.add(
          "spec.match.namespaceSelector: only a ClusterConfigPolicy selects namespaces; a"
              + " ConfigPolicy applies to its own namespace");
    }
    return new PolicyMatch(
        List.copyOf(resources),
        Set.copyOf(operations),
        List.copyOf(names),
        objects,
        namespaces,
        ref.namespace());
  }

  private static Kinds kinds(ResourceKinds r, String field, List<String> reasons) {
    if (r == null) {
      reasons.add(field + ": empty entry");
      return null;
    }
    int before = reasons.size();
    if (r.apiGroups == null || r.apiGroups.isEmpty()) {
      reasons.add(field + ".apiGroups: required (\"\" is the core group, \"*\" any group)");
    } else if (r.apiGroups.stream().anyMatch(Objects::isNull)) {
      reasons.add(field + ".apiGroups: null entry");
    }
    if (r.kinds == null || r.kinds.isEmpty()) {
      reasons.add(field + ".kinds: required (e.g. ConfigMap, or \"*\")");
    } else {
      for (int i = 0; i < r.kinds.size(); i++) {
        String kind = r.kinds.get(i);
        if (kind == null || !(kind.equals(ANY) || kind.matches("[A-Z][A-Za-z0-9]*"))) {
          reasons.add(
              field + ".kinds[" + i + "]: \"" + kind + "\" is not a kind (e.g. ConfigMap) or *");
        }
      }
    }
    if (r.versions != null && r.versions.stream().anyMatch(Objects::isNull)) {
      reasons.add(field + ".versions: null entry");
    }
    if (reasons.size() > before) {
      return null;
    }
    Set<String> versions =
        r.versions == null || r.versions.isEmpty() ? Set.of(ANY) : Set.copyOf(r.versions);
    return new Kinds(Set.copyOf(r.apiGroups), versions, Set.copyOf(r.kinds));
  }

  /** Kinds for the index: group and kind may be "*"; the version is not indexed. */
  List<ObjectKind> kinds() {
    List<ObjectKind> out = new ArrayList<>();
    for (Kinds k : resources) {
      for (String group : k.groups()) {
        for (String kind : k.kinds()) {
          for (String version : k.versions()) {
            ObjectKind ok = new ObjectKind(group, version, kind);
            if (!out.contains(ok)) {
              out.add(ok);
            }
          }
        }
      }
    }
    return out;
  }

  Set<Operation> operations() {
    return operations;
  }

  boolean matches(Target target) {
    if (!operations.contains(target.operation())) {
      return false;
    }
    if (!anyMatch(resources, k -> k.matches(target.kind()))) {
      return false;
    }
    String ns = target.namespace() == null ? "" : target.namespace();
    if (namespace != null && !namespace.equals(ns)) {
      return false;
    }
    if (!names.isEmpty() && !anyMatch(names, g -> g.matches(nameOf(target)))) {
      return false;
    }
    // Like a webhook's objectSelector: the old or the new object matching is enough, so an
    // update cannot escape a policy by dropping the label in the same write.
    if (!objectSelector.isEverything() && !eitherMatches(objectSelector, target)) {
      return false;
    }
    return namespaceSelector.isEverything() || namespaceMatches(namespaceSelector, target);
  }

  /**
   * The namespace selector: on the namespace's labels for a namespaced object; on a Namespace's own
   * labels before or after the write for a Namespace; always for other cluster-scoped objects (they
   * have no namespace to select on, as with a webhook).
   */
  static boolean namespaceMatches(LabelSelector selector, Target target) {
    String ns = target.namespace() == null ? "" : target.namespace();
    if (!ns.isEmpty()) {
      return selector.matches(
          target.namespaceLabels() == null ? Map.of() : target.namespaceLabels());
    }
    if (target.kind().group().isEmpty() && target.kind().kind().equals("Namespace")) {
      return eitherMatches(selector, target);
    }
    return true;
  }

  private static boolean eitherMatches(LabelSelector selector, Target target) {
    return (target.object() != null && selector.matches(labels(target.object())))
        || (target.oldObject() != null && selector.matches(labels(target.oldObject())));
  }

  /** A loop, not a stream: this runs for every candidate policy of every request. */
  private static <T> boolean anyMatch(List<T> items, Predicate<T> test) {
    for (T item : items) {
      if (test.test(item)) {
        return true;
      }
    }
    return false;
  }

  private static String nameOf(Target target) {
    return target.name() == null ? "" : target.name();
  }

  private static Map<String, String> labels(JsonNode object) {
    JsonNode labels = object == null ? null : object.path("metadata").path("labels");
    if (labels == null || !labels.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
