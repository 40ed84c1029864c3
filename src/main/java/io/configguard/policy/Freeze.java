package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.Match;
import io.configguard.api.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A compiled ConfigFreeze with {@code denyWrites}: which writes it stops and who may still write.
 * Pure, like a policy: the webhook asks it about one admission request at a time.
 */
public final class Freeze {
  private final String name;
  private final String reason;
  private final LabelSelector namespaceSelector;
  private final PolicyMatch match;
  private final Set<String> users;
  private final Set<String> groups;

  private Freeze(
      String name,
      String reason,
      LabelSelector namespaceSelector,
      PolicyMatch match,
      Set<String> users,
      Set<String> groups) {
    this.name = name;
    this.reason = reason;
    this.namespaceSelector = namespaceSelector;
    this.match = match;
    this.users = users;
    this.groups = groups;
  }

  /**
   * The write freeze a ConfigFreeze spec declares, or null when it does not deny writes.
   *
   * @throws InvalidPolicyException with every reason, each naming its field
   */
  public static Freeze compile(String name, ConfigFreezeSpec spec) throws InvalidPolicyException {
    if (spec == null || !Boolean.TRUE.equals(spec.denyWrites)) {
      return null;
    }
    return compileWrites(name, spec);
  }

  /**
   * Every reason a ConfigFreeze spec is invalid, each naming its field, whether or not it denies
   * writes: a freeze the webhook admits must do what it says (an operator "in" would otherwise be
   * admitted and then never match).
   */
  public static List<String> problems(String name, ConfigFreezeSpec spec) {
    if (spec == null) {
      return List.of();
    }
    try {
      compileWrites(name, spec);
      return List.of();
    } catch (InvalidPolicyException e) {
      return e.reasons();
    }
  }

  private static Freeze compileWrites(String name, ConfigFreezeSpec spec)
      throws InvalidPolicyException {
    List<String> reasons = new ArrayList<>();
    LabelSelector namespaces =
        LabelSelector.compile(spec.namespaceSelector, "spec.namespaceSelector", reasons);
    Match m = spec.match == null ? new Match() : spec.match;
    if (m.operations == null || m.operations.isEmpty()) {
      // A freeze stops every write unless told otherwise, deletions included.
      Match copy = new Match();
      copy.resources = m.resources;
      copy.names = m.names;
      copy.namespaceSelector = m.namespaceSelector;
      copy.objectSelector = m.objectSelector;
      copy.operations = List.of(Operation.CREATE, Operation.UPDATE, Operation.DELETE);
      m = copy;
    }
    PolicyMatch match = PolicyMatch.compile(m, PolicyRef.cluster(name), reasons);
    if (!reasons.isEmpty()) {
      throw new InvalidPolicyException(reasons);
    }
    var glass = spec.breakGlass;
    return new Freeze(
        name,
        spec.reason == null || spec.reason.isBlank() ? "no reason given" : spec.reason.strip(),
        namespaces,
        match,
        glass == null || glass.users == null ? Set.of() : Set.copyOf(glass.users),
        glass == null || glass.groups == null ? Set.of() : Set.copyOf(glass.groups));
  }

  public String name() {
    return name;
  }

  public String reason() {
    return reason;
  }

  /** Kinds this freeze can match, for the webhook's rules. */
  public List<ObjectKind> kinds() {
    return match.kinds();
  }

  /**
   * Whether this freeze stops the write. configguard's own kinds are never frozen: a freeze must
   * always be possible to lift, and policies to fix.
   */
  public boolean freezes(Target target) {
    if (target.kind().group().equals(ConfigPolicy.GROUP)) {
      return false;
    }
    if (!namespaceSelector.isEverything()
        && !PolicyMatch.namespaceMatches(namespaceSelector, target)) {
      return false;
    }
    return match.matches(target);
  }

  /** Whether the requester (the request's userInfo) may write through the freeze. */
  public boolean breaksGlass(JsonNode userInfo) {
    if (userInfo == null) {
      return false;
    }
    if (users.contains(userInfo.path("username").asText(""))) {
      return true;
    }
    for (JsonNode group : userInfo.path("groups")) {
      if (groups.contains(group.asText())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ConfigFreeze " + name;
  }
}
