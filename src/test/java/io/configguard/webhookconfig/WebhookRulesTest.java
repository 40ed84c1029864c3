package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.discovery.ApiResource;
import io.configguard.discovery.ApiResources;
import io.configguard.discovery.KnownResources;
import io.configguard.policy.PolicyRef;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

public class WebhookRulesTest {
  public static final String OWN =
      "configguard.io|*|CREATE,UPDATE|clusterconfigpolicies,configfreezes,configpolicies,guardedrollouts";

  /** A cluster that serves two Route kinds; discovery answers are made up, as tables are. */
  static final ApiResources CLUSTER =
      (group, version, kind) -> {
        List<ApiResource> out = new ArrayList<>(new KnownResources().find(group, version, kind));
        if (!out.isEmpty()) {
          return out;
        }
        for (ApiResource r :
            List.of(
                new ApiResource("example.com", "v1", "Route", "routes", true),
                new ApiResource("example.com", "v1", "Route", "routes/status", true),
                new ApiResource("other.io", "v1", "Route", "ingressroutes", true))) {
          if ((group.equals("*") || r.group().equals(group)) && r.kind().equals(kind)) {
            out.add(r);
          }
        }
        return out;
      };

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no policies: only configguard's own kinds", List.of(), List.of(OWN)),
        Arguments.of(
            "default match is ConfigMaps on CREATE and UPDATE",
            List.of("{}"),
            List.of("|*|CREATE,UPDATE|configmaps", OWN)),
        Arguments.of(
            "operations are unioned per resource",
            List.of("{}", "{operations: [DELETE]}"),
            List.of("|*|CREATE,DELETE,UPDATE|configmaps", OWN)),
        Arguments.of(
            "kinds with the same operations share a rule",
            List.of(
                "{resources: [{apiGroups: [''], kinds: [ConfigMap, Secret]}]}",
                "{resources: [{apiGroups: [apps], kinds: [Deployment]}]}"),
            List.of(
                "|*|CREATE,UPDATE|configmaps,secrets", "apps|*|CREATE,UPDATE|deployments", OWN)),
        Arguments.of(
            "versions are unioned, and any version absorbs the rest",
            List.of(
                "{resources: [{apiGroups: [example.com], versions: [v1], kinds: [Route]}]}",
                "{resources: [{apiGroups: [example.com], versions: [v2], kinds: [Route]}]}",
                "{resources: [{apiGroups: [apps], versions: [v1], kinds: [Deployment]}]}",
                "{resources: [{apiGroups: [apps], kinds: [Deployment]}]}"),
            List.of(
                "apps|*|CREATE,UPDATE|deployments", OWN, "example.com|v1,v2|CREATE,UPDATE|routes")),
        Arguments.of(
            "a custom kind resolves through discovery, never to a subresource",
            List.of("{resources: [{apiGroups: [example.com], kinds: [Route]}]}"),
            List.of(OWN, "example.com|*|CREATE,UPDATE|routes")),
        Arguments.of(
            "any group: every plural the kind has anywhere",
            List.of("{resources: [{apiGroups: ['*'], kinds: [Route]}]}"),
            List.of("*|*|CREATE,UPDATE|ingressroutes,routes", OWN)),
        Arguments.of(
            "any kind of a group is every resource of it, not its subresources",
            List.of(
                "{resources: [{apiGroups: [example.com], kinds: ['*']}], operations: [UPDATE]}"),
            List.of(OWN, "example.com|*|UPDATE|*")),
        Arguments.of(
            "a kind not served yet gets its conventional plural",
            List.of("{resources: [{apiGroups: [flags.example.com], kinds: [FeatureFlagPolicy]}]}"),
            List.of(OWN, "flags.example.com|*|CREATE,UPDATE|featureflagpolicies")),
        Arguments.of(
            "a policy on configguard's own kinds adds DELETE to them",
            List.of(
                "{resources: [{apiGroups: [configguard.io], kinds: [GuardedRollout]}],"
                    + " operations: [DELETE]}"),
            List.of(
                "configguard.io|*|CREATE,DELETE,UPDATE|guardedrollouts",
                "configguard.io|*|CREATE,UPDATE|clusterconfigpolicies,configfreezes,configpolicies")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rulesAreTheUnionOfWhatPoliciesMatch(String why, List<String> matches, List<String> rules) {
    List<Need> needs = new ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      String spec = "{match: " + matches.get(i) + ", rules: [{name: r, maxKeys: 1}]}";
      needs.add(Need.of(Policies.compile(PolicyRef.cluster("p" + i), spec), Policies.spec(spec)));
    }
    assertThat(WebhookRules.of(needs, CLUSTER).stream().map(WebhookRulesTest::line))
        .containsExactlyElementsOf(rules);
  }

  @Test
  void equalPolicySetsGiveEqualRulesWhateverTheOrder() {
    List<Need> needs = new ArrayList<>();
    for (String match :
        List.of(
            "{resources: [{apiGroups: [apps], kinds: [Deployment]}]}",
            "{}",
            "{resources: [{apiGroups: [example.com], kinds: [Route]}], operations: [DELETE]}")) {
      String spec = "{match: " + match + ", rules: [{name: r, maxKeys: 1}]}";
      needs.add(Need.of(Policies.compile(PolicyRef.cluster("p"), spec), Policies.spec(spec)));
    }
    List<Need> reversed = new ArrayList<>(needs);
    java.util.Collections.reverse(reversed);
    assertThat(WebhookRules.of(reversed, CLUSTER)).isEqualTo(WebhookRules.of(needs, CLUSTER));
  }

  @Test
  void neverAStatusSubresourceAndScopeIsAlwaysAny() {
    String spec =
        "{match: {resources: [{apiGroups: ['*'], kinds: ['*', Route]}]}, rules: [{name: r, maxKeys: 1}]}";
    var rules =
        WebhookRules.of(
            List.of(Need.of(Policies.compile(PolicyRef.cluster("p"), spec), Policies.spec(spec))),
            CLUSTER);
    assertThat(rules).allSatisfy(r -> assertThat(r.getScope()).isEqualTo("*"));
    assertThat(rules.stream().flatMap(r -> r.getResources().stream()))
        .noneMatch(resource -> resource.contains("/"));
  }

  @ParameterizedTest
  @CsvSource({
    "ConfigMap, configmaps",
    "Ingress, ingresses",
    "NetworkPolicy, networkpolicies",
    "Gateway, gateways",
    "Mesh, meshes",
    "Box, boxes",
    "Patch, patches",
    "Status, statuses",
    "Key, keys"
  })
  void conventionalPlural(String kind, String plural) {
    assertThat(KnownResources.guessPlural(kind)).isEqualTo(plural);
  }

  public static String line(RuleWithOperations r) {
    return String.join(",", r.getApiGroups())
        + "|"
        + String.join(",", r.getApiVersions())
        + "|"
        + String.join(",", r.getOperations())
        + "|"
        + String.join(",", r.getResources());
  }
}
