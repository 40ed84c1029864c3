package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.Selector;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GuardedRollouts are untrusted input too: the webhook denies a malformed one, naming fields. */
class RolloutAdmissionTest {
  static GuardedRollout other(String name, Map<String, String> labels) {
    GuardedRollout r = new GuardedRollout();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("edge").build());
    r.setSpec(new GuardedRolloutSpec());
    r.getSpec().selector = new Selector();
    r.getSpec().selector.matchLabels = labels;
    return r;
  }

  static Stream<Arguments> rollouts() {
    Consumer<ObjectNode> none = s -> {};
    return Stream.of(
        // edit of spec, other rollouts in edge, every reason (empty: admitted)
        Arguments.of(none, List.of(), List.of()),
        Arguments.of(
            (Consumer<ObjectNode>) s -> ((ObjectNode) s.path("strategy")).put("bakeSeconds", -5),
            List.of(),
            List.of("spec.strategy.bakeSeconds: must be 0 or more")),
        Arguments.of(
            (Consumer<ObjectNode>)
                s -> ((ObjectNode) s.path("strategy")).putArray("steps").add("10%").add("abc"),
            List.of(),
            List.of("spec.strategy.steps")),
        Arguments.of(
            none,
            List.of(other("edge-routes-b", Map.of("app", "edge-router"))),
            List.of("spec.selector: overlaps the selector of GuardedRollout edge-routes-b")),
        // its own previous version and a disjoint selector are no overlap
        Arguments.of(
            none,
            List.of(
                other("edge-routes", Map.of("app", "edge-router")),
                other("api", Map.of("app", "api"))),
            List.of()),
        Arguments.of(
            (Consumer<ObjectNode>)
                s -> {
                  s.remove("sourceRef");
                  ((ObjectNode) s.path("strategy")).put("maxUnhealthyPods", -1);
                },
            List.of(),
            List.of("spec.sourceRef.name: required", "spec.strategy.maxUnhealthyPods")));
  }

  @ParameterizedTest
  @MethodSource("rollouts")
  void deniesAMalformedRolloutWithEveryReason(
      Consumer<ObjectNode> edit, List<GuardedRollout> others, List<String> reasons)
      throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    AdmissionHandler handler =
        new AdmissionHandler(new PolicyIndex(compiler, metrics), ns -> Map.of(), compiler, metrics);
    handler.rollouts(ns -> ns.equals("edge") ? others : List.of());
    ObjectNode review = ReviewTest.fixture("10-guardedrollout-create-edge-routes.json");
    edit.accept((ObjectNode) review.path("request").path("object").path("spec"));

    AdmissionResponse response = handler.handle(Review.parse(review));

    assertThat(response.getAllowed()).isEqualTo(reasons.isEmpty());
    if (!reasons.isEmpty()) {
      List<String> lines = response.getStatus().getMessage().lines().toList();
      assertThat(lines.get(0)).isEqualTo("the GuardedRollout is invalid:");
      assertThat(lines).hasSize(reasons.size() + 1);
      for (int i = 0; i < reasons.size(); i++) {
        assertThat(lines.get(i + 1)).startsWith(reasons.get(i));
      }
    }
  }

  @org.junit.jupiter.api.Test
  void warnsWhenMaxUnhealthyPodsIsNotBelowTheSelectedPodCount() throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    AdmissionHandler handler =
        new AdmissionHandler(new PolicyIndex(compiler, metrics), ns -> Map.of(), compiler, metrics);
    java.util.List<Integer> asked = new java.util.ArrayList<>();
    handler.podCounter(
        (ns, selector, atMost) -> {
          asked.add(atMost);
          return Math.min(4, atMost); // four pods match
        });
    ObjectNode review = ReviewTest.fixture("10-guardedrollout-create-edge-routes.json");
    ObjectNode strategy =
        (ObjectNode) review.path("request").path("object").path("spec").path("strategy");
    strategy.put("maxUnhealthyPods", 10);
    AdmissionResponse response = handler.handle(Review.parse(review));
    assertThat(response.getAllowed()).isTrue();
    assertThat(response.getWarnings())
        .singleElement()
        .asString()
        .startsWith("spec.strategy.maxUnhealthyPods: 10 is not below the 4 pods");
    assertThat(asked).as("a LIST bounded by the tolerance, not the namespace").containsExactly(11);

    strategy.put("maxUnhealthyPods", 3);
    assertThat(handler.handle(Review.parse(review)).getWarnings()).isNullOrEmpty();
  }
}
