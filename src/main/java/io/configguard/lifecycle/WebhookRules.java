package io.configguard.lifecycle;

import io.configguard.api.Match;
import io.configguard.api.Operation;
import io.configguard.api.PolicySpec;
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
  static final Set<Operation> DEFAULT_OPERATIONS = EnumSet.of(Operation.CREATE, Operation.UPDATE);

  private WebhookRules() {}

  /**
   * What one installed policy (or anything shaped like one, e.g. a freeze) needs the webhook to
   * see.
   *
   * @param kinds group/version/kind, each may be "*"
   * @param operations the operations it matches
   */
  public record Need(List<ObjectKind> kinds, Set<Operation> operations) {
    public Need {
      kinds = List.copyOf(kinds);
      operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    }

    /** The kinds of a compiled policy and the operations of its spec (CREATE, UPDATE default). */
    public static Need of(Policy policy, PolicySpec spec) {
      return new Need(policy.kinds(), operations(spec == null ? null : spec.match));
    }

    static Set<Operation> operations(Match match) {
      if (match == null || match.operations == null || match.operations.isEmpty()) {
        return DEFAULT_OPERATIONS;
      }
      EnumSet<Operation> out = EnumSet.noneOf(Operation.class);
      match.operations.stream().filter(o -> o != null).forEach(out::add);
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
