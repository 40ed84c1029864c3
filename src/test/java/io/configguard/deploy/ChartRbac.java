package io.configguard.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The RBAC authorizer's decision for one ServiceAccount, from the Roles, ClusterRoles and bindings
 * of rendered manifests: a rule allows a request when its apiGroups, resources ("pods", or
 * "pods/status" for a subresource), verbs and, if any, resourceNames match ("*" matches all); a
 * ClusterRoleBinding grants everywhere, a RoleBinding only in its namespace.
 */
final class ChartRbac {
  /** What the authorizer sees of a resource request. */
  record Attributes(
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name) {
    /** "PATCH coordination.k8s.io leases (ns configguard, name x)". */
    @Override
    public String toString() {
      return verb
          + " "
          + (group.isEmpty() ? "core" : group)
          + " "
          + resource
          + (subresource.isEmpty() ? "" : "/" + subresource)
          + (namespace.isEmpty() ? "" : " in " + namespace)
          + (name.isEmpty() ? "" : " named " + name);
    }

    /** The same request without its object name, for summaries. */
    Attributes unnamed() {
      return new Attributes(verb, group, resource, subresource, namespace, "");
    }
  }

  /** A rule and the namespace it is limited to ("" for cluster-wide). */
  private record Grant(PolicyRule rule, String namespace) {}

  private final List<Grant> grants = new ArrayList<>();

  ChartRbac(List<HasMetadata> objects, String serviceAccountNamespace, String serviceAccount) {
    Map<String, ClusterRole> clusterRoles = new TreeMap<>();
    Map<String, Role> roles = new TreeMap<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRole r) {
        clusterRoles.put(r.getMetadata().getName(), r);
      } else if (o instanceof Role r) {
        roles.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r);
      }
    }
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b
          && binds(b.getSubjects(), "", serviceAccountNamespace, serviceAccount)) {
        ClusterRole role = clusterRoles.get(b.getRoleRef().getName());
        if (role != null && "ClusterRole".equals(b.getRoleRef().getKind())) {
          role.getRules().forEach(rule -> grants.add(new Grant(rule, "")));
        }
      } else if (o instanceof RoleBinding b) {
        String ns = b.getMetadata().getNamespace();
        if (!binds(b.getSubjects(), ns, serviceAccountNamespace, serviceAccount)) {
          continue;
        }
        RoleRef ref = b.getRoleRef();
        List<PolicyRule> rules =
            "ClusterRole".equals(ref.getKind())
                ? rulesOf(clusterRoles.get(ref.getName()))
                : rulesOf(roles.get(ns + "/" + ref.getName()));
        rules.forEach(rule -> grants.add(new Grant(rule, ns)));
      }
    }
  }

  private static List<PolicyRule> rulesOf(HasMetadata role) {
    if (role instanceof ClusterRole r && r.getRules() != null) {
      return r.getRules();
    }
    if (role instanceof Role r && r.getRules() != null) {
      return r.getRules();
    }
    return List.of();
  }

  private static boolean binds(
      List<Subject> subjects, String bindingNamespace, String namespace, String name) {
    if (subjects == null) {
      return false;
    }
    for (Subject s : subjects) {
      if ("ServiceAccount".equals(s.getKind())
          && name.equals(s.getName())
          && namespace.equals(
              s.getNamespace() == null || s.getNamespace().isEmpty()
                  ? bindingNamespace
                  : s.getNamespace())) {
        return true;
      }
    }
    return false;
  }

  boolean allows(Attributes a) {
    for (Grant g : grants) {
      if (!g.namespace().isEmpty() && !g.namespace().equals(a.namespace())) {
        continue;
      }
      PolicyRule r = g.rule();
      String resource =
          a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
      if (matches(r.getApiGroups(), a.group())
          && matches(r.getResources(), resource)
          && matches(r.getVerbs(), a.verb())
          && (r.getResourceNames() == null
              || r.getResourceNames().isEmpty()
              || (!a.name().isEmpty() && r.getResourceNames().contains(a.name())))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  /** The rules in force in {@code namespace}, as a SelfSubjectRulesReview would list them. */
  List<PolicyRule> rulesIn(String namespace) {
    return grants.stream()
        .filter(g -> g.namespace().isEmpty() || g.namespace().equals(namespace))
        .map(Grant::rule)
        .toList();
  }

  /**
   * The authorizer's attributes of an HTTP request to the API server, or null for a non-resource
   * path (discovery, /version, /openapi: granted to every authenticated user by the default
   * system:discovery and system:public-info-viewer ClusterRoles).
   */
  static Attributes attributes(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        parts.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
      }
    }
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      return null;
    }
    if (rest.isEmpty()) {
      return null; // the group version's discovery document
    }
    String namespace = "";
    String resource;
    String name = "";
    String subresource = "";
    if (rest.get(0).equals("namespaces")
        && (rest.size() == 2
            || (rest.size() == 3 && List.of("status", "finalize").contains(rest.get(2))))) {
      // The namespace object itself: GET /api/v1/namespaces/x (or its status).
      resource = "namespaces";
      name = rest.get(1);
      subresource = rest.size() == 3 ? rest.get(2) : "";
    } else {
      if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
        namespace = rest.get(1);
        rest = rest.subList(2, rest.size());
      }
      resource = rest.get(0);
      name = rest.size() >= 2 ? rest.get(1) : "";
      subresource = rest.size() >= 3 ? rest.get(2) : "";
    }
    boolean watch =
        List.of(query.split("&")).stream()
            .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    String verb =
        switch (method) {
          case "GET", "HEAD" -> watch ? "watch" : name.isEmpty() ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    if (verb.equals("watch") && query.contains("fieldSelector=metadata.name")) {
      // A watch of one object by name (informers on a single object) is authorized as watch with
      // that name; the name comes from the field selector.
      String selector =
          URLDecoder.decode(
              query.replaceAll(".*fieldSelector=([^&]*).*", "$1"), StandardCharsets.UTF_8);
      if (selector.startsWith("metadata.name=")) {
        name = selector.substring("metadata.name=".length());
      }
    }
    return new Attributes(
        verb, group, resource, subresource, Objects.requireNonNull(namespace), name);
  }
}
