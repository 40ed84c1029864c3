package io.configguard.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.AuditFinding;
import io.configguard.api.AuditStatus;
import io.configguard.api.Operation;
import io.configguard.api.PolicySpec;
import io.configguard.api.Selector;
import io.configguard.discovery.ApiResource;
import io.configguard.discovery.ApiResources;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.Target;
import io.configguard.policy.Violation;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One background audit of one policy: list every object it can match, page by page, evaluate each
 * as admission would, and count. Memory is one page plus at most {@link #SAMPLE} findings, whatever
 * the number of objects.
 *
 * <p>An existing object is evaluated as an UPDATE that changes nothing (oldObject = object): the
 * question is whether it would be admitted if applied again as it is. Change-based checks
 * (maxGrowth, maxShrink, immutable) see no change and stay silent, and CEL sees a non-null
 * oldObject. A policy that matches only CREATE is asked as a CREATE; one that matches only DELETE
 * has nothing to audit.
 */
public final class PolicyAudit {
  /** The most findings kept in status.audit.sample. */
  public static final int SAMPLE = 20;

  private final ObjectPages pages;
  private final ApiResources resources;
  private final Set<String> excludedNamespaces;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final Clock clock;
  private final ObjectMapper mapper = Serialization.jsonMapper();

  /**
   * @param excludedNamespaces namespaces the webhook never sees, skipped here too
   * @param namespaceLabels labels of a namespace by name, for namespaceSelector
   */
  public PolicyAudit(
      ObjectPages pages,
      ApiResources resources,
      Set<String> excludedNamespaces,
      Function<String, Map<String, String>> namespaceLabels,
      Clock clock) {
    this.pages = pages;
    this.resources = resources;
    this.excludedNamespaces = Set.copyOf(excludedNamespaces);
    this.namespaceLabels = namespaceLabels;
    this.clock = clock;
  }

  /** Audits every object the policy can match and returns what belongs in status.audit. */
  public AuditStatus run(Policy policy, PolicySpec spec) {
    Set<Operation> operations = Need.operations(spec == null ? null : spec.match);
    Operation operation =
        operations.contains(Operation.UPDATE)
            ? Operation.UPDATE
            : operations.contains(Operation.CREATE) ? Operation.CREATE : null;
    Tally tally = new Tally();
    if (operation != null) {
      PolicyRef ref = policy.ref();
      boolean selectsNamespaces = spec.match != null && spec.match.namespaceSelector != null;
      Map<String, Map<String, String>> labelsByNamespace = new HashMap<>();
      LabelSelector selector = labelSelector(spec.match == null ? null : spec.match.objectSelector);
      for (ApiResource resource : listable(policy.kinds())) {
        if (ref.namespace() != null && !resource.namespaced()) {
          continue; // a ConfigPolicy covers its own namespace only
        }
        pages.forEachPage(
            resource,
            ref.namespace(),
            selector,
            page -> {
              for (GenericKubernetesResource item : page) {
                Map<String, String> nsLabels = Map.of();
                String ns = item.getMetadata().getNamespace();
                if (ns != null && excludedNamespaces.contains(ns)) {
                  continue;
                }
                if (ns != null && selectsNamespaces) {
                  nsLabels = labelsByNamespace.computeIfAbsent(ns, namespaceLabels);
                }
                check(policy, resource, operation, item, nsLabels, tally);
              }
            });
      }
    }
    AuditStatus status = new AuditStatus();
    status.time = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    status.objectsChecked = tally.checked;
    status.violationCount = tally.violations;
    status.sample = List.copyOf(tally.sample);
    return status;
  }

  private void check(
      Policy policy,
      ApiResource resource,
      Operation operation,
      GenericKubernetesResource item,
      Map<String, String> nsLabels,
      Tally tally) {
    ObjectNode object = mapper.valueToTree(item);
    // List items may come without apiVersion and kind; CEL and the kind match need them.
    object.put("apiVersion", resource.apiVersion());
    object.put("kind", resource.kind());
    String ns = item.getMetadata().getNamespace() == null ? "" : item.getMetadata().getNamespace();
    String name = item.getMetadata().getName();
    ObjectKind kind = new ObjectKind(resource.group(), resource.version(), resource.kind());
    Target target =
        new Target(
            kind,
            ns,
            name,
            operation,
            object,
            operation == Operation.UPDATE ? object : null,
            request(kind, ns, name, operation),
            nsLabels);
    if (!policy.matches(target)) {
      return;
    }
    tally.checked++;
    if (policy.exemption(target, clock.instant()).isPresent()) {
      return;
    }
    for (Violation v : policy.evaluate(target)) {
      tally.violations++;
      if (tally.sample.size() < SAMPLE) {
        AuditFinding f = new AuditFinding();
        f.namespace = ns.isEmpty() ? null : ns;
        f.name = name;
        f.rule = v.rule();
        f.message = v.location().isEmpty() ? v.message() : v.location() + ": " + v.message();
        tally.sample.add(f);
      }
    }
  }

  /** The request variable CEL sees: what an admission request would say, from the audit. */
  private JsonNode request(ObjectKind kind, String ns, String name, Operation operation) {
    ObjectNode request = mapper.createObjectNode();
    request
        .putObject("kind")
        .put("group", kind.group())
        .put("version", kind.version())
        .put("kind", kind.kind());
    request.put("namespace", ns).put("name", name).put("operation", operation.name());
    request.putObject("userInfo").put("username", "system:configguard:audit");
    request.put("dryRun", true);
    return request;
  }

  /** One resource per group and kind (the preferred version): listing twice would count twice. */
  List<ApiResource> listable(List<ObjectKind> kinds) {
    Map<String, ApiResource> out = new LinkedHashMap<>();
    for (ObjectKind k : kinds) {
      for (ApiResource r : resources.find(k.group(), k.version(), k.kind())) {
        out.putIfAbsent(r.group() + "/" + r.kind(), r);
      }
    }
    return new ArrayList<>(out.values());
  }

  static LabelSelector labelSelector(Selector selector) {
    if (selector == null
        || (empty(selector.matchLabels)
            && (selector.matchExpressions == null || selector.matchExpressions.isEmpty()))) {
      return null;
    }
    LabelSelectorBuilder b = new LabelSelectorBuilder();
    if (!empty(selector.matchLabels)) {
      b.withMatchLabels(selector.matchLabels);
    }
    if (selector.matchExpressions != null) {
      for (Selector.Requirement r : selector.matchExpressions) {
        b.addToMatchExpressions(
            new LabelSelectorRequirementBuilder()
                .withKey(r.key)
                .withOperator(r.operator)
                .withValues(r.values == null ? List.of() : r.values)
                .build());
      }
    }
    return b.build();
  }

  private static boolean empty(Map<?, ?> map) {
    return map == null || map.isEmpty();
  }

  private static final class Tally {
    long checked;
    long violations;
    final List<AuditFinding> sample = new ArrayList<>();
  }
}
