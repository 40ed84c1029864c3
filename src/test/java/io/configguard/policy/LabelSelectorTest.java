package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.Selector;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one label selector of policies, freezes and GuardedRollouts (it replaced rollout.Selectors,
 * whose cases are merged here): matches, overlaps and validate with Kubernetes' semantics.
 */
class LabelSelectorTest {

  @ParameterizedTest(name = "{0} / {1} on {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          app=web |                   | app=web,tier=edge | true
          app=web |                   | app=api           | false
                  | tier In edge,core | tier=core         | true
                  | tier In edge,core | tier=db           | false
                  | tier NotIn edge   | app=web           | true
                  | tier NotIn edge   | tier=edge         | false
                  | tier Exists       | tier=x            | true
                  | tier Exists       | app=x             | false
                  | tier DoesNotExist | app=x             | true
                  | tier DoesNotExist | tier=x            | false
          app=web | tier In edge      | app=web,tier=core | false
                  |                   | app=web           | true
          """)
  void matchesLikeKubernetes(String labels, String expression, String have, boolean matches) {
    assertThat(LabelSelector.of(selector(labels, expression)).matches(parse(have)))
        .isEqualTo(matches);
  }

  @Test
  void noSelectorMatchesEverythingAndAnInvalidOneNothing() {
    assertThat(LabelSelector.of(null).matches(Map.of("a", "b"))).isTrue();
    assertThat(LabelSelector.of(null).isEverything()).isTrue();
    assertThat(LabelSelector.of(new Selector()).isEverything()).isTrue();
    Selector invalid = selector(null, "tier Near x");
    assertThat(LabelSelector.of(invalid).matches(Map.of("tier", "x"))).isFalse();
    assertThat(LabelSelector.of(invalid).isEverything()).isFalse();
    assertThat(LabelSelector.of(selector(null, "tier In")).matches(Map.of("tier", "x"))).isFalse();
  }

  @Test
  void aLabelWithANullValueIsNoLabel() {
    Map<String, String> pruned = new HashMap<>();
    pruned.put("tier", null);
    assertThat(LabelSelector.of(selector(null, "tier Exists")).matches(pruned)).isFalse();
    assertThat(LabelSelector.of(selector(null, "tier DoesNotExist")).matches(pruned)).isTrue();
    assertThat(LabelSelector.of(selector(null, "tier NotIn x")).matches(pruned)).isTrue();
    assertThat(LabelSelector.of(selector("app=web", null)).matches(null)).isFalse();
  }

  @ParameterizedTest(name = "{0} {1} / {2} {3} -> {4}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          app=web |                   | app=web          |                   | true
          app=web |                   | app=api          |                   | false
          app=web |                   | tier=edge        |                   | true
          app=web |                   |                  | app In api,web    | true
          app=web |                   |                  | app In api        | false
          app=web |                   |                  | app NotIn web     | false
          app=web |                   |                  | app DoesNotExist  | false
                  | app Exists        |                  | app DoesNotExist  | false
                  | app In a,b        |                  | app In b,c        | true
                  | app In a          | app=web          | tier NotIn x      | false
                  | tier NotIn edge   | tier=core        |                   | true
                  | app Near x        | app=web          |                   | false
          """)
  void overlapsWhenOneObjectCouldBeSelectedByBoth(
      String labelsA, String exprA, String labelsB, String exprB, boolean overlap) {
    LabelSelector a = LabelSelector.of(selector(labelsA, exprA));
    LabelSelector b = LabelSelector.of(selector(labelsB, exprB));
    assertThat(a.overlaps(b)).isEqualTo(overlap);
    assertThat(b.overlaps(a)).isEqualTo(overlap);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          tier | Exists | x    | s.matchExpressions[0].values: must be empty for Exists
          tier | In     |      | s.matchExpressions[0].values: required for In
          tier | NotIn  |      | s.matchExpressions[0].values: required for NotIn
          tier | Near   | x    | s.matchExpressions[0].operator: "Near" is not one of In, NotIn, Exists, DoesNotExist
          tier |        | x    | s.matchExpressions[0].operator: required (In, NotIn, Exists, DoesNotExist)
          ' '  | Exists |      | s.matchExpressions[0].key: required
          """)
  void badRequirementsNameTheirField(String key, String op, String values, String error) {
    Selector.Requirement r = new Selector.Requirement();
    r.key = key;
    r.operator = op;
    r.values = values == null ? null : List.of(values);
    Selector selector = new Selector();
    selector.matchExpressions = List.of(r);
    assertThat(LabelSelector.validate(selector, "s")).containsExactly(error);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Selector selector =
        Serialization.unmarshal(
            "matchLabels: {'': x}\nmatchExpressions: [{key: app, operator: Near}, {key: app,"
                + " operator: In}, {key: app, operator: Exists, values: [x]}]",
            Selector.class);
    assertThat(LabelSelector.validate(selector, "spec.match.objectSelector"))
        .containsExactly(
            "spec.match.objectSelector.matchLabels: empty label key",
            "spec.match.objectSelector.matchExpressions[0].operator: \"Near\" is not one of In,"
                + " NotIn, Exists, DoesNotExist",
            "spec.match.objectSelector.matchExpressions[1].values: required for In",
            "spec.match.objectSelector.matchExpressions[2].values: must be empty for Exists");
    assertThat(LabelSelector.validate(null, "s")).isEmpty();
  }

  private static Selector selector(String labels, String expression) {
    Selector selector = new Selector();
    if (labels != null) {
      selector.matchLabels = parse(labels);
    }
    if (expression != null) {
      String[] parts = expression.split(" ");
      Selector.Requirement r = new Selector.Requirement();
      r.key = parts[0];
      r.operator = parts[1];
      r.values = parts.length > 2 ? Arrays.asList(parts[2].split(",")) : null;
      selector.matchExpressions = List.of(r);
    }
    return selector;
  }

  private static Map<String, String> parse(String text) {
    Map<String, String> map = new HashMap<>();
    if (text == null || text.isEmpty()) {
      return map;
    }
    for (String kv : text.split(",")) {
      String[] p = kv.split("=");
      map.put(p[0], p[1]);
    }
    return map;
  }
}
