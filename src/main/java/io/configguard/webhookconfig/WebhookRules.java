package io.configguard.webhookconfig;

import io.configguard.api.Match;
import io.configguard.api.Operation;
import io.configguard.api.PolicySpec;
import io.configguard.api.Selector;
import io.configguard.discovery.ApiResource;
import io.configguard.discovery.ApiResources;
import io.configguard.discovery.KnownResources;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Policy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The webhook rules for a set of installed policies: the union of the kinds and operations they
 * match, plus configguard's own kinds, so the API server never calls the webhook for a kind no
 * policy covers. Pure: the only outside knowledge is kind to resource, behind {@link ApiResources}.
 */
public final class WebhookRules {
  static final String NAMESPACE_NAME_LABEL = WebhookConfigurations.NAMESPACE_NAME_LABEL;
  static final Set<Operation> DEFAULT_OPERATIONS = EnumSet.of(Operation.CREATE, Operation.UPDATE);

  private WebhookRules() {}

  /**
   * What one installed policy (or anything shaped like one, e.g. a freeze) needs the webhook to
   * see.
   *
   * @param kinds group/version/kind, each may be "*"
   * @param operations the operations it matches
   * @param scope which objects of those kinds it can judge, for the webhook's matchConditions
   */
  public record Need(List<ObjectKind> kinds, Set<Operation> operations, Scope scope) {
    public Need {
      kinds = List.copyOf(kinds);
      operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
      scope = scope == null ? Scope.ANY : scope;
    }

    /** A need for every object of the kinds. */
    public Need(List<ObjectKind> kinds, Set<Operation> operations) {
      this(kinds, operations, Scope.ANY);
    }

    /**
     * The kinds of a compiled policy, the operations of its spec (CREATE, UPDATE default), and its
     * scope: names, object selector, namespace. Only for a policy that compiled, so the globs and
     * selectors are valid.
     */
    public static Need of(Policy policy, PolicySpec spec) {
      Match match = spec == null ? null : spec.match;
      return new Need(
          policy.kinds(),
          operations(match),
          Scope.of(
              policy.ref().namespace(), match, match == null ? null : match.namespaceSelector));
    }

    public static Set<Operation> operations(Match match) {
      if (match == null || match.operations == null || match.operations.isEmpty()) {
        return DEFAULT_OPERATIONS;
      }
      EnumSet<Operation> out = EnumSet.noneOf(Operation.class);
      match.operations.stream().filter(o -> o != null).forEach(out::add);
      return out;
    }
  }

  /**
   * Which objects of its kinds a need can judge, as far as the API server can tell without calling
   * the webhook: what is left out here only makes the webhook see more, never less.
   *
   * @param namespace the one namespace (a ConfigPolicy's own), or null for any
   * @param namespaces namespaces by name (from a {@code kubernetes.io/metadata.name} selector), or
   *     null for any; cluster-scoped objects are always in
   * @param names globs on the object's name (* and ?); empty means every name
   * @param objectSelector label requirements that must all hold; empty means every object
   */
  public record Scope(
      String namespace,
      Set<String> namespaces,
      List<String> names,
      List<Requirement> objectSelector) {
    public static final Scope ANY = new Scope(null, null, List.of(), List.of());

    public Scope {
      namespaces = namespaces == null ? null : Set.copyOf(new TreeSet<>(namespaces));
      names = names == null ? List.of() : List.copyOf(names);
      objectSelector = objectSelector == null ? List.of() : List.copyOf(objectSelector);
    }

    /**
     * The scope of a match: its names and object selector, the namespace a ConfigPolicy is confined
     * to, and the namespace names the given namespace selectors pin down.
     */
    public static Scope of(String namespace, Match match, Selector... namespaceSelectors) {
      List<String> names = match == null || match.names == null ? List.of() : match.names;
      if (names.stream().anyMatch(g -> g == null || g.chars().allMatch(c -> c == '*'))) {
        names = List.of();
      }
      Set<String> byName = null;
      for (Selector s : namespaceSelectors) {
        Set<String> pinned = namespaceNames(s);
        if (pinned != null) {
          byName = byName == null ? new TreeSet<>(pinned) : intersect(byName, pinned);
        }
      }
      return new Scope(
          namespace, byName, names, Requirement.of(match == null ? null : match.objectSelector));
    }

    /** Whether this scope is every object of the kinds. */
    public boolean isAny() {
      return namespace == null && namespaces == null && names.isEmpty() && objectSelector.isEmpty();
    }

    private static Set<String> intersect(Set<String> a, Set<String> b) {
      Set<String> out = new TreeSet<>(a);
      out.retainAll(b);
      return out;
    }

    /** The namespace names a selector allows, when it says so by the name label; else null. */
    private static Set<String> namespaceNames(Selector selector) {
      if (selector == null) {
        return null;
      }
      Set<String> out = null;
      if (selector.matchLabels != null) {
        String name = selector.matchLabels.get(NAMESPACE_NAME_LABEL);
        if (name != null) {
          out = new TreeSet<>(Set.of(name));
        }
      }
      if (selector.matchExpressions != null) {
        for (Selector.Requirement r : selector.matchExpressions) {
          if (r != null
              && NAMESPACE_NAME_LABEL.equals(r.key)
              && "In".equals(r.operator)
              && r.values != null
              && r.values.stream().noneMatch(v -> v == null)) {
            out = out == null ? new TreeSet<>(r.values) : intersect(out, Set.copyOf(r.values));
          }
        }
      }
      return out;
    }
  }

  /** One label requirement of an object selector (matchLabels entries become In). */
  public record Requirement(String key, String operator, List<String> values) {
    public Requirement {
      values = values == null ? List.of() : List.copyOf(new TreeSet<>(values));
    }

    static List<Requirement> of(Selector selector) {
      List<Requirement> out = new ArrayList<>();
      if (selector == null) {
        return out;
      }
      if (selector.matchLabels != null) {
        new TreeMap<>(selector.matchLabels)
            .forEach((k, v) -> out.add(new Requirement(k, "In", List.of(v))));
      }
      if (selector.matchExpressions != null) {
        for (Selector.Requirement r : selector.matchExpressions) {
          out.add(new Requirement(r.key, r.operator, r.values));
        }
      }
      return out;
    }
  }

  private record GroupResource(String group, String resource) implements Comparable<GroupResource> {
    @Override
    public int compareTo(GroupResource o) {
      int c = group.compareTo(o.group);
      return c != 0 ? c : resource.compareTo(o.resource);
    }
  }

  private record Seen(SortedSet<String> versions, EnumSet<Operation> operations) {}

  private record RuleKey(String group, List<String> versions, List<String> operations) {}

  /** The rules, in a stable order so that an unchanged set of policies gives equal rules. */
  public static List<RuleWithOperations> of(Collection<Need> needs, ApiResources resources) {
    Map<GroupResource, Seen> seen = new TreeMap<>();
    for (ApiResource own : KnownResources.OWN) {
      add(seen, own.group(), ApiResources.ANY, own.plural(), DEFAULT_OPERATIONS);
    }
    for (Need need : needs) {
      if (need.operations().isEmpty()) {
        continue;
      }
      for (ObjectKind kind : need.kinds()) {
        for (String plural : plurals(kind, resources)) {
          add(seen, kind.group(), kind.version(), plural, need.operations());
        }
      }
    }
    Map<RuleKey, SortedSet<String>> grouped = new TreeMap<>(WebhookRules::compare);
    seen.forEach(
        (gr, s) -> {
          List<String> ops = s.operations().stream().map(Enum::name).sorted().toList();
          grouped
              .computeIfAbsent(
                  new RuleKey(gr.group(), List.copyOf(s.versions()), ops), k -> new TreeSet<>())
              .add(gr.resource());
        });
    List<RuleWithOperations> rules = new ArrayList<>();
    grouped.forEach(
        (key, plurals) ->
            rules.add(
                new RuleWithOperationsBuilder()
                    .withApiGroups(key.group())
                    .withApiVersions(key.versions())
                    .withOperations(key.operations())
                    .withResources(List.copyOf(plurals))
                    .withScope("*")
                    .build()));
    return rules;
  }

  private static SortedSet<String> plurals(ObjectKind kind, ApiResources resources) {
    SortedSet<String> out = new TreeSet<>();
    if (kind.kind().equals(ApiResources.ANY)) {
      // "*" covers every resource of the group but no subresource: never */status.
      out.add(ApiResources.ANY);
      return out;
    }
    resources.find(kind.group(), kind.version(), kind.kind()).stream()
        .map(ApiResource::plural)
        .filter(p -> !p.contains("/"))
        .forEach(out::add);
    if (out.isEmpty()) {
      // Not served (yet): the conventional plural is right for almost every CRD, and a wrong
      // guess matches nothing.
      out.add(KnownResources.guessPlural(kind.kind()));
    }
    return out;
  }

  private static void add(
      Map<GroupResource, Seen> seen,
      String group,
      String version,
      String plural,
      Set<Operation> operations) {
    Seen s =
        seen.computeIfAbsent(
            new GroupResource(group, plural),
            k -> new Seen(new TreeSet<>(), EnumSet.noneOf(Operation.class)));
    if (version.equals(ApiResources.ANY) || s.versions().contains(ApiResources.ANY)) {
      s.versions().clear();
      s.versions().add(ApiResources.ANY);
    } else {
      s.versions().add(version);
    }
    s.operations().addAll(operations);
  }

  private static int compare(RuleKey a, RuleKey b) {
    int c = a.group().compareTo(b.group());
    if (c == 0) {
      c = String.join(",", a.versions()).compareTo(String.join(",", b.versions()));
    }
    if (c == 0) {
      c = String.join(",", a.operations()).compareTo(String.join(",", b.operations()));
    }
    return c;
  }
}
