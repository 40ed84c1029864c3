package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.Operation;
import io.configguard.policy.Freeze;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.Target;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.MatchConditionsCel.Request;
import io.configguard.webhookconfig.WebhookRules.Need;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The matchConditions never keep from configguard a request the engine would judge: for random
 * policies and freezes (kinds, operations, name globs, object selectors, namespace selectors, a
 * ConfigPolicy's namespace) and random requests, whenever the compiled policy matches the request
 * (or the freeze freezes it), the conditions evaluated by cel-java send it. Soundness is the safety
 * property; the share of requests left out is reported as how much a dead webhook no longer blocks.
 */
class MatchConditionsSoundnessTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] RESOURCES = {
    "",
    "resources: [{apiGroups: [''], kinds: [ConfigMap]}],",
    "resources: [{apiGroups: [''], kinds: [ConfigMap, Secret]}],",
    "resources: [{apiGroups: ['*'], kinds: [Secret]}],",
    "resources: [{apiGroups: [''], kinds: ['*']}],",
  };
  static final String[] OPERATIONS = {
    "", "operations: [DELETE],", "operations: [CREATE],", "operations: [UPDATE, DELETE],"
  };
  static final String[] OBJECT_SELECTORS = {
    "",
    "objectSelector: {matchLabels: {team: a}},",
    "objectSelector: {matchExpressions: [{key: tier, operator: In, values: [a, b]}]},",
    "objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [a]}]},",
    "objectSelector: {matchExpressions: [{key: guarded, operator: Exists}]},",
    "objectSelector: {matchExpressions: [{key: guarded, operator: DoesNotExist}], matchLabels:"
        + " {team: b}},",
  };
  static final String[] NAMESPACE_SELECTORS = {
    "",
    "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns1}},",
    "namespaceSelector: {matchLabels: {env: prod}},",
    "namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In,"
        + " values: [ns1, ns2]}, {key: env, operator: Exists}]},",
  };

  @Test
  void everyRequestAPolicyOrFreezeCouldJudgeIsSent() throws Exception {
    Random random = new Random(7);
    int judged = 0;
    int notJudged = 0;
    int leftOut = 0;
    for (int p = 0; p < 250; p++) {
      boolean namespaced = random.nextInt(3) == 0;
      boolean freeze = !namespaced && random.nextInt(4) == 0;
      String match =
          "{"
              + pick(random, RESOURCES)
              + (freeze ? "" : pick(random, OPERATIONS))
              + names(random)
              + pick(random, OBJECT_SELECTORS)
              + (namespaced ? "" : pick(random, NAMESPACE_SELECTORS))
              + "}";
      Need need;
      java.util.function.Predicate<Target> engine;
      if (freeze) {
        ConfigFreeze f = new ConfigFreeze();
        f.getMetadata().setName("f");
        f.setSpec(
            Policies.YAML.readValue(
                "{denyWrites: true, " + pick(random, NAMESPACE_SELECTORS) + "}",
                ConfigFreezeSpec.class));
        f.getSpec().match = Policies.YAML.readValue(match, io.configguard.api.Match.class);
        Freeze compiled = Freeze.compile("f", f.getSpec());
        need = FreezeNeeds.of(List.of(f)).get(0);
        engine = compiled::freezes;
      } else {
        PolicyRef ref = namespaced ? PolicyRef.namespaced("ns1", "p") : PolicyRef.cluster("p");
        String spec = "{match: " + match + ", rules: [{name: r, maxKeys: 1}]}";
        Policy policy = Policies.compile(ref, spec);
        need = Need.of(policy, Policies.spec(spec));
        engine = policy::matches;
      }
      var conditions = WebhookMatchConditionsTest.conditions(List.of(need));
      for (int r = 0; r < 40; r++) {
        Request request = request(random);
        Target target = target(request);
        boolean sent = MatchConditionsCel.sent(conditions, request);
        if (engine.test(target)) {
          judged++;
          assertThat(sent)
              .as("%s judges %s but the conditions keep it away: %s", match, request, conditions)
              .isTrue();
        } else {
          notJudged++;
          if (!sent) {
            leftOut++;
          }
        }
      }
    }
    System.out.printf(
        "soundness: %d judged requests all sent; of %d not judged, %d (%.0f%%) not sent%n",
        judged, notJudged, leftOut, 100.0 * leftOut / notJudged);
    assertThat(judged).isGreaterThan(300);
    // Precision: most requests no policy could judge never reach a (possibly dead) configguard.
    assertThat(leftOut).isGreaterThan(notJudged / 2);
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }

  private static String names(Random random) {
    if (random.nextInt(3) == 0) {
      return "";
    }
    List<String> globs = new ArrayList<>();
    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
      globs.add("'" + word(random, "ab-.*?", 1 + random.nextInt(4)) + "'");
    }
    return "names: " + globs + ",";
  }

  /** A random word of {@code length} characters of {@code alphabet}. */
  static String word(Random random, String alphabet, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static Request request(Random random) {
    String op = List.of("CREATE", "UPDATE", "DELETE").get(random.nextInt(3));
    String kind = random.nextInt(4) == 0 ? "Secret" : "ConfigMap";
    String ns = List.of("ns1", "ns2", "ns3").get(random.nextInt(3));
    Request r = Request.of(op, kind, ns, word(random, "ab-.", 1 + random.nextInt(4)));
    if (op.equals("CREATE") && random.nextInt(8) == 0) {
      r = r.generated(word(random, "ab-", 2));
    }
    return r.labels(labels(random)).oldLabels(op.equals("UPDATE") ? labels(random) : null);
  }

  private static Map<String, String> labels(Random random) {
    if (random.nextInt(4) == 0) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (random.nextBoolean()) {
      out.put("team", random.nextBoolean() ? "a" : "b");
    }
    if (random.nextBoolean()) {
      out.put("tier", random.nextBoolean() ? "a" : "b");
    }
    if (random.nextInt(3) == 0) {
      out.put("guarded", "x");
    }
    return out;
  }

  /** The engine's view of the same request, as the webhook builds it from the review. */
  private static Target target(Request r) {
    Map<String, Object> vars = r.variables();
    JsonNode object = node(vars.get("object"));
    JsonNode oldObject = node(vars.get("oldObject"));
    JsonNode request = JSON.valueToTree(vars.get("request"));
    String name = r.name() == null || r.name().isEmpty() ? r.generateName() : r.name();
    Map<String, String> nsLabels = new LinkedHashMap<>();
    nsLabels.put("kubernetes.io/metadata.name", r.namespace());
    if (r.namespace().equals("ns1")) {
      nsLabels.put("env", "prod");
    }
    return new Target(
        new ObjectKind(r.group(), "v1", r.kind()),
        r.namespace(),
        name,
        Operation.valueOf(r.operation()),
        object,
        oldObject,
        request,
        nsLabels);
  }

  private static JsonNode node(Object value) {
    return value instanceof Map<?, ?> ? JSON.valueToTree(value) : null;
  }
}
