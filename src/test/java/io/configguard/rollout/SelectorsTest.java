package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.Selector;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorsTest {

  @ParameterizedTest(name = "{0} / {1} on {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          app=web |                  | app=web,tier=edge | true
          app=web |                  | app=api           | false
                  | tier In edge,core | tier=core         | true
                  | tier In edge,core | tier=db           | false
                  | tier NotIn edge   | app=web           | true
                  | tier NotIn edge   | tier=edge         | false
                  | tier Exists       | tier=x            | true
                  | tier Exists       | app=x             | false
                  | tier DoesNotExist | app=x             | true
          app=web | tier In edge      | app=web,tier=core | false
                  |                   | app=web           | true
          """)
  void matchesLikeKubernetes(String labels, String expression, String have, boolean matches) {
    assertThat(Selectors.matches(selector(labels, expression), parse(have))).isEqualTo(matches);
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
          """)
  void overlapsWhenOnePodCouldBeSelectedByBoth(
      String labelsA, String exprA, String labelsB, String exprB, boolean overlap) {
    Selector a = selector(labelsA, exprA);
    Selector b = selector(labelsB, exprB);
    assertThat(Selectors.overlap(a, b)).isEqualTo(overlap);
    assertThat(Selectors.overlap(b, a)).isEqualTo(overlap);
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

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          tier | Exists | x    | s.matchExpressions[0].values: must be empty for Exists
          tier | In     |      | s.matchExpressions[0].values: required for In
          tier | Near   | x    | s.matchExpressions[0].operator: "Near" is not In
          """)
  void badRequirementsNameTheirField(String key, String op, String values, String error) {
    Selector.Requirement r = new Selector.Requirement();
    r.key = key;
    r.operator = op;
    r.values = values == null ? null : List.of(values);
    Selector selector = new Selector();
    selector.matchExpressions = List.of(r);
    assertThat(Selectors.validate(selector, "s")).singleElement().asString().startsWith(error);
  }

  private static Map<String, String> parse(String text) {
    Map<String, String> map = new HashMap<>();
    for (String kv : text.split(",")) {
      String[] p = kv.split("=");
      map.put(p[0], p[1]);
    }
    return map;
  }
}
