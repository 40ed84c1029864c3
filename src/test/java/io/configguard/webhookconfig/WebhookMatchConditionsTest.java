package io.configguard.webhookconfig;

import static io.configguard.webhookconfig.MatchConditionsCel.Request;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.policy.Glob;
import io.configguard.policy.PolicyRef;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.WebhookMatchConditions.Cel;
import io.configguard.webhookconfig.WebhookMatchConditions.Precision;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matchConditions built from installed policies and freezes, compiled AND evaluated with
 * cel-java against admission requests: what the API server would send to configguard and what it
 * would not (the mock server does not evaluate matchConditions).
 */
class WebhookMatchConditionsTest {
  static final Map<String, String> TRACK = Map.of("configguard.io/rollout", "bot-features");

  /** A need from a policy spec's match, as PolicyNeeds builds it. */
  static Need policy(String match) {
    return policy(PolicyRef.cluster("p"), match);
  }

  static Need policy(PolicyRef ref, String match) {
    String spec = "{match: " + match + ", rules: [{name: r, maxKeys: 1}]}";
    return Need.of(Policies.compile(ref, spec), Policies.spec(spec));
  }

  /** The main webhook's conditions as WebhookSync writes them. */
  static List<MatchCondition> conditions(List<Need> needs) {
    List<MatchCondition> out = new ArrayList<>();
    var guard = WebhookMatchConditions.guard(needs);
    if (guard.condition() != null) {
      out.add(guard.condition());
    }
    out.add(WebhookMatchConditions.notATrack());
    return out;
  }

  static boolean sent(List<Need> needs, Request request) {
    return MatchConditionsCel.sent(conditions(needs), request);
  }

  @Test
  void theIssueGoalUnrelatedIsNotSentBotFeaturesIs() {
    List<Need> needs = List.of(policy("{names: ['bot-features*']}"));
    assertThat(sent(needs, Request.of("CREATE", "ConfigMap", "edge", "unrelated"))).isFalse();
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "edge", "unrelated"))).isFalse();
    assertThat(sent(needs, Request.of("CREATE", "ConfigMap", "edge", "bot-features"))).isTrue();
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "edge", "bot-features"))).isTrue();
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "edge", "bot-features-eu"))).isTrue();
    // The policy judges CREATE and UPDATE only: a deletion is nobody's business.
    assertThat(sent(needs, Request.of("DELETE", "ConfigMap", "edge", "bot-features"))).isFalse();
    // configguard's own kinds, always.
    assertThat(sent(needs, Request.of("CREATE", "configguard.io/ConfigPolicy", "edge", "x")))
        .isTrue();
    assertThat(sent(needs, Request.of("UPDATE", "configguard.io/ConfigFreeze", "", "holiday")))
        .isTrue();
    // generateName: no name in the request yet; sent, whatever the prefix.
    assertThat(sent(needs, Request.of("CREATE", "ConfigMap", "edge", "").generated("unrelated-")))
        .isTrue();
  }

  @Test
  void withNoPolicyOnlyConfigguardsOwnKindsAreSent() {
    assertThat(sent(List.of(), Request.of("CREATE", "ConfigMap", "edge", "bot-features")))
        .isFalse();
    assertThat(sent(List.of(), Request.of("CREATE", "configguard.io/GuardedRollout", "e", "r")))
        .isTrue();
  }

  @Test
  void aRolloutTrackIsLeftToTheTracksWebhook() {
    List<Need> needs = List.of(policy("{names: ['bot-features*']}"));
    Request stable = Request.of("UPDATE", "ConfigMap", "edge", "bot-features-stable");
    assertThat(sent(needs, stable)).isTrue();
    assertThat(sent(needs, stable.labels(TRACK))).isFalse();
    assertThat(sent(needs, stable.oldLabels(TRACK))).isFalse();
    // Only ConfigMaps: another kind with that label is the main webhook's.
    List<Need> secrets = List.of(policy("{resources: [{apiGroups: [''], kinds: [Secret]}]}"));
    assertThat(sent(secrets, Request.of("UPDATE", "Secret", "edge", "s").labels(TRACK))).isTrue();
  }

  static Stream<Arguments> cases() {
    String cm = "ConfigMap";
    return Stream.of(
        Arguments.of(
            "exact name",
            "{names: [bot-features]}",
            "CREATE",
            cm,
            "edge",
            "bot-features",
            null,
            true),
        Arguments.of(
            "exact name is not a prefix",
            "{names: [bot-features]}",
            "CREATE",
            cm,
            "edge",
            "bot-features-eu",
            null,
            false),
        Arguments.of(
            "suffix glob",
            "{names: ['*-routes']}",
            "UPDATE",
            cm,
            "edge",
            "edge-routes",
            null,
            true),
        Arguments.of(
            "suffix glob, other name",
            "{names: ['*-routes']}",
            "UPDATE",
            cm,
            "edge",
            "routes-edge",
            null,
            false),
        Arguments.of(
            "infix glob", "{names: ['*feat*']}", "UPDATE", cm, "edge", "bot-features", null, true),
        Arguments.of(
            "prefix and suffix do not overlap",
            "{names: ['ab*ba']}",
            "UPDATE",
            cm,
            "edge",
            "aba",
            null,
            false),
        Arguments.of(
            "prefix and suffix", "{names: ['ab*ba']}", "UPDATE", cm, "edge", "abba", null, true),
        Arguments.of(
            "question mark is one character",
            "{names: ['v?.conf']}",
            "UPDATE",
            cm,
            "edge",
            "v1.conf",
            null,
            true),
        Arguments.of(
            "a dot is a dot", "{names: ['v?.conf']}", "UPDATE", cm, "edge", "v1xconf", null, false),
        Arguments.of(
            "any of several globs", "{names: [a, 'b*']}", "UPDATE", cm, "edge", "bz", null, true),
        Arguments.of(
            "a star glob is every name",
            "{names: ['*']}",
            "UPDATE",
            cm,
            "edge",
            "anything",
            null,
            true),
        Arguments.of("no names: every name", "{}", "UPDATE", cm, "edge", "anything", null, true),
        Arguments.of(
            "another kind is not sent for a ConfigMap policy",
            "{names: ['*']}",
            "UPDATE",
            "Secret",
            "edge",
            "anything",
            null,
            false),
        Arguments.of(
            "kinds of any group",
            "{resources: [{apiGroups: ['*'], kinds: [Route]}]}",
            "UPDATE",
            "example.com/Route",
            "edge",
            "r",
            null,
            true),
        Arguments.of(
            "every kind of a group",
            "{resources: [{apiGroups: [apps], kinds: ['*']}]}",
            "UPDATE",
            "apps/StatefulSet",
            "edge",
            "s",
            null,
            true),
        Arguments.of(
            "a DELETE policy sees deletions",
            "{operations: [DELETE], names: [x]}",
            "DELETE",
            cm,
            "edge",
            "x",
            null,
            true),
        Arguments.of(
            "a DELETE policy does not see updates",
            "{operations: [DELETE], names: [x]}",
            "UPDATE",
            cm,
            "edge",
            "x",
            null,
            false),
        Arguments.of(
            "matchLabels",
            "{objectSelector: {matchLabels: {team: edge}}}",
            "UPDATE",
            cm,
            "edge",
            "x",
            Map.of("team", "edge"),
            true),
        Arguments.of(
            "matchLabels, other value",
            "{objectSelector: {matchLabels: {team: edge}}}",
            "UPDATE",
            cm,
            "edge",
            "x",
            Map.of("team", "core"),
            false),
        Arguments.of(
            "matchLabels, no labels at all",
            "{objectSelector: {matchLabels: {team: edge}}}",
            "UPDATE",
            cm,
            "edge",
            "x",
            null,
            false),
        Arguments.of(
            "In",
            "{objectSelector: {matchExpressions: [{key: tier, operator: In, values: [a, b]}]}}",
            "CREATE",
            cm,
            "edge",
            "x",
            Map.of("tier", "b"),
            true),
        Arguments.of(
            "NotIn, label absent",
            "{objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [a]}]}}",
            "CREATE",
            cm,
            "edge",
            "x",
            null,
            true),
        Arguments.of(
            "NotIn, excluded value",
            "{objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [a]}]}}",
            "CREATE",
            cm,
            "edge",
            "x",
            Map.of("tier", "a"),
            false),
        Arguments.of(
            "Exists",
            "{objectSelector: {matchExpressions: [{key: guarded, operator: Exists}]}}",
            "UPDATE",
            cm,
            "edge",
            "x",
            Map.of("guarded", ""),
            true),
        Arguments.of(
            "DoesNotExist",
            "{objectSelector: {matchExpressions: [{key: guarded, operator: DoesNotExist}]}}",
            "CREATE",
            cm,
            "edge",
            "x",
            Map.of("guarded", "yes"),
            false),
        Arguments.of(
            "selector on the old object for a DELETE",
            "{operations: [DELETE], objectSelector: {matchLabels: {team: edge}}}",
            "DELETE",
            cm,
            "edge",
            "x",
            Map.of("team", "edge"),
            true),
        Arguments.of(
            "namespace selector by name",
            "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}}",
            "UPDATE",
            cm,
            "edge",
            "x",
            null,
            true),
        Arguments.of(
            "namespace selector by name, other namespace",
            "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}}",
            "UPDATE",
            cm,
            "core",
            "x",
            null,
            false),
        Arguments.of(
            "namespace selector on other labels cannot be said: sent",
            "{namespaceSelector: {matchLabels: {env: prod}}, names: [x]}",
            "UPDATE",
            cm,
            "core",
            "x",
            null,
            true),
        Arguments.of(
            "a cluster-scoped object has no namespace to select on",
            "{resources: [{apiGroups: [''], kinds: [Namespace]}],"
                + " namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name,"
                + " operator: In, values: [edge]}]}}",
            "UPDATE",
            "Namespace",
            "",
            "edge",
            null,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void whatTheApiServerSends(
      String why,
      String match,
      String operation,
      String kind,
      String namespace,
      String name,
      Map<String, String> labels,
      boolean expected) {
    Request request = Request.of(operation, kind, namespace, name).labels(labels);
    assertThat(sent(List.of(policy(match)), request)).as(why).isEqualTo(expected);
    // The engine agrees whenever the webhook is not called: never a write it would judge.
  }

  /** Issue 13 item 7: the engine judges an update when the old or the new object is selected. */
  @Test
  void anUpdateThatDropsTheSelectedLabelIsStillSent() {
    List<Need> needs =
        List.of(policy("{objectSelector: {matchLabels: {configguard.io/guard: 'on'}}}"));
    Request dropped =
        Request.of("UPDATE", "ConfigMap", "edge", "x")
            .oldLabels(Map.of("configguard.io/guard", "on"));
    Request added =
        Request.of("UPDATE", "ConfigMap", "edge", "x").labels(Map.of("configguard.io/guard", "on"));
    assertThat(sent(needs, dropped)).isTrue();
    assertThat(sent(needs, added)).isTrue();
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "edge", "x"))).isFalse();
  }

  @Test
  void aConfigPolicyOnlyGuardsItsOwnNamespace() {
    List<Need> needs = List.of(policy(PolicyRef.namespaced("edge", "p"), "{names: [routes]}"));
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "edge", "routes"))).isTrue();
    assertThat(sent(needs, Request.of("UPDATE", "ConfigMap", "core", "routes"))).isFalse();
  }

  @Test
  void aFreezeGuardsEveryWriteOfWhatItMatchesInItsNamespaces() throws Exception {
    ConfigFreeze f = new ConfigFreeze();
    f.getMetadata().setName("holiday");
    f.setSpec(
        Policies.YAML.readValue(
            "{denyWrites: true, namespaceSelector: {matchLabels: {kubernetes.io/metadata.name:"
                + " edge}}, match: {names: ['edge-*']}}",
            ConfigFreezeSpec.class));
    List<Need> needs = FreezeNeeds.of(List.of(f));
    for (String op : List.of("CREATE", "UPDATE", "DELETE")) {
      assertThat(sent(needs, Request.of(op, "ConfigMap", "edge", "edge-routes"))).isTrue();
      assertThat(sent(needs, Request.of(op, "ConfigMap", "edge", "unrelated"))).isFalse();
      assertThat(sent(needs, Request.of(op, "ConfigMap", "core", "edge-routes"))).isFalse();
    }
  }

  @Test
  void globsTranslateExactly() {
    // Every glob shape over a small alphabet against every short name: the CEL test and the
    // engine's Glob agree on each pair.
    Random random = new Random(12);
    String alphabet = "ab.-";
    String globAlphabet = "ab.-*?";
    int checked = 0;
    for (int g = 0; g < 150; g++) {
      String glob = MatchConditionsSoundnessTest.word(random, globAlphabet, 1 + random.nextInt(5));
      String test = Cel.glob(WebhookMatchConditions.NAME, glob);
      assertThat(test).as(glob).isNotNull();
      for (int n = 0; n < 20; n++) {
        String name = MatchConditionsSoundnessTest.word(random, alphabet, 1 + random.nextInt(6));
        boolean engine = Glob.of(glob).matches(name);
        Request r = Request.of("UPDATE", "ConfigMap", "edge", name);
        assertThat(MatchConditionsCel.evaluate(test, r))
            .as("glob %s, name %s (CEL: %s)", glob, name, test)
            .isEqualTo(engine);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(3000);
  }

  @Test
  void aGlobWithACharacterNoNameHasIsNotTranslated() {
    assertThat(Cel.glob(WebhookMatchConditions.NAME, "a'b")).isNull();
    assertThat(WebhookMatchConditions.names(List.of("ok", "A_B"))).isEqualTo("true");
  }

  @Test
  void stringLiteralsAreEscaped() {
    for (String s : List.of("plain", "it's", "back\\slash", "quote\"", "new\nline", "ünï", "'")) {
      Request r = Request.of("UPDATE", "ConfigMap", "edge", s);
      assertThat(MatchConditionsCel.evaluate("request.name == " + Cel.string(s), r)).as(s).isTrue();
    }
  }

  @Test
  void tooManyPoliciesFallBackToBroaderConditionsNeverFail() {
    List<Need> needs = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      needs.add(
          policy(
              PolicyRef.namespaced("team-" + i, "p"),
              "{names: ['app-" + i + "-*'], objectSelector: {matchLabels: {team: t" + i + "}}}"));
    }
    var exact = WebhookMatchConditions.guard(needs.subList(0, 20));
    assertThat(exact.precision()).isEqualTo(Precision.EXACT);
    var merged = WebhookMatchConditions.guard(needs);
    assertThat(merged.precision()).isEqualTo(Precision.PER_KIND);
    assertThat(merged.condition().getExpression().length())
        .isLessThanOrEqualTo(WebhookMatchConditions.MAX_EXPRESSION_LENGTH);
    MatchConditionsCel.compile(merged.condition().getExpression());
    // Merged: the names still decide, the selectors and namespaces no longer do.
    Request guarded = Request.of("UPDATE", "ConfigMap", "elsewhere", "app-7-x");
    assertThat(MatchConditionsCel.sent(List.of(merged.condition()), guarded)).isTrue();
    Request unrelated = Request.of("UPDATE", "ConfigMap", "team-7", "unrelated");
    assertThat(MatchConditionsCel.sent(List.of(merged.condition()), unrelated)).isFalse();

    var none = WebhookMatchConditions.guard(needs, 200);
    assertThat(none.precision()).isEqualTo(Precision.NONE);
    assertThat(none.condition()).isNull();
    assertThat(conditions(needs)).hasSizeLessThanOrEqualTo(64);
  }

  @Test
  void theSameNeedsInAnotherOrderGiveTheSameExpression() {
    List<Need> needs =
        List.of(
            policy("{names: ['b*']}"),
            policy("{resources: [{apiGroups: [apps], kinds: [Deployment]}]}"),
            policy("{names: [a], operations: [DELETE]}"));
    List<Need> reversed = new ArrayList<>(needs);
    java.util.Collections.reverse(reversed);
    assertThat(WebhookMatchConditions.guard(reversed))
        .isEqualTo(WebhookMatchConditions.guard(needs));
  }

  @Test
  void noConditionErrorsOnAnyShapeOfRequest() {
    List<Need> needs =
        List.of(
            policy("{names: ['bot-*'], objectSelector: {matchLabels: {team: edge}}}"),
            policy(PolicyRef.namespaced("edge", "p"), "{operations: [DELETE], names: [x]}"),
            policy(
                "{resources: [{apiGroups: ['*'], kinds: ['*']}],"
                    + " namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}}"));
    for (String op : List.of("CREATE", "UPDATE", "DELETE")) {
      for (String ns : List.of("", "edge")) {
        for (String name : List.of("", "bot-1", "x")) {
          for (Map<String, String> labels : List.of(Map.<String, String>of(), TRACK)) {
            Request r =
                Request.of(op, "ConfigMap", ns, name).labels(labels.isEmpty() ? null : labels);
            // sent() evaluates every condition and throws on any evaluation error.
            MatchConditionsCel.sent(conditions(needs), r);
            MatchConditionsCel.sent(conditions(needs), r.generated("bot-"));
          }
        }
      }
    }
  }
}
