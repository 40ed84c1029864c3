package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.HealthCheck;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.Selector;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecCheckTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("valid", (Consumer<GuardedRolloutSpec>) s -> {}, null),
        Arguments.of(
            "no source",
            (Consumer<GuardedRolloutSpec>) s -> s.sourceRef = null,
            "spec.sourceRef.name"),
        Arguments.of(
            "empty selector",
            (Consumer<GuardedRolloutSpec>) s -> s.selector = new Selector(),
            "spec.selector: required and not empty"),
        Arguments.of(
            "only NotIn: selects every pod without the value, like {}",
            (Consumer<GuardedRolloutSpec>)
                s -> {
                  s.selector = new Selector();
                  s.selector.matchExpressions = List.of(requirement("app", "NotIn", "zzz"));
                },
            "spec.selector: selects a pod with no labels at all"),
        Arguments.of(
            "only DoesNotExist",
            (Consumer<GuardedRolloutSpec>)
                s -> {
                  s.selector = new Selector();
                  s.selector.matchExpressions = List.of(requirement("canary", "DoesNotExist"));
                },
            "spec.selector: selects a pod with no labels at all"),
        Arguments.of(
            "NotIn beside matchLabels narrows a real selection",
            (Consumer<GuardedRolloutSpec>)
                s -> s.selector.matchExpressions = List.of(requirement("track", "NotIn", "canary")),
            null),
        Arguments.of(
            "bad step",
            (Consumer<GuardedRolloutSpec>) s -> s.strategy.steps = List.of("1", "half"),
            "spec.strategy.steps[1]"),
        Arguments.of(
            "negative bake",
            (Consumer<GuardedRolloutSpec>) s -> s.strategy.bakeSeconds = -1,
            "spec.strategy.bakeSeconds"),
        Arguments.of(
            "zero failures",
            (Consumer<GuardedRolloutSpec>) s -> s.strategy.maxFailedRevisions = 0,
            "spec.strategy.maxFailedRevisions"),
        Arguments.of(
            "bad port",
            (Consumer<GuardedRolloutSpec>)
                s -> {
                  s.healthCheck = new HealthCheck();
                  s.healthCheck.httpGet = new HttpGetCheck();
                  s.healthCheck.httpGet.port = 70000;
                },
            "spec.healthCheck.httpGet.port"),
        Arguments.of(
            "relative path",
            (Consumer<GuardedRolloutSpec>)
                s -> {
                  s.healthCheck = new HealthCheck();
                  s.healthCheck.httpGet = new HttpGetCheck();
                  s.healthCheck.httpGet.port = 8080;
                  s.healthCheck.httpGet.path = "healthz";
                },
            "spec.healthCheck.httpGet.path"));
  }

  static Selector.Requirement requirement(String key, String operator, String... values) {
    Selector.Requirement r = new Selector.Requirement();
    r.key = key;
    r.operator = operator;
    r.values = values.length == 0 ? null : List.of(values);
    return r;
  }

  static GuardedRollout named(String name, String source) {
    return RolloutFixtures.rollout(name, source, 1);
  }

  @Test
  void aSourceThatIsAnotherRolloutsDerivedConfigMapIsRefused() {
    GuardedRolloutSpec spec = RolloutFixtures.rollout("r", "edge-stable", 1).getSpec();
    spec.selector.matchLabels = java.util.Map.of("app", "other");
    assertThat(SpecCheck.errors("r", spec, List.of(named("edge", "edge-src"))))
        .singleElement()
        .asString()
        .startsWith(
            "spec.sourceRef.name: edge-stable is the stable ConfigMap of GuardedRollout edge");
    spec.sourceRef.name = "edge-candidate";
    assertThat(SpecCheck.errors("r", spec, List.of(named("edge", "edge-src"))))
        .singleElement()
        .asString()
        .contains("candidate ConfigMap of GuardedRollout edge");
    spec.sourceRef.name = "r-stable";
    assertThat(SpecCheck.errors("r", spec, List.of()))
        .singleElement()
        .asString()
        .contains("stable ConfigMap of GuardedRollout r,");
  }

  @Test
  void aRolloutWhoseDerivedConfigMapIsAnothersSourceIsRefused() {
    GuardedRolloutSpec spec = RolloutFixtures.rollout("edge", "edge-src", 1).getSpec();
    GuardedRollout other = named("reader", "edge-stable");
    other.getSpec().selector.matchLabels = java.util.Map.of("app", "reader");
    assertThat(SpecCheck.errors("edge", spec, List.of(other)))
        .singleElement()
        .asString()
        .startsWith("metadata.name: GuardedRollout reader takes edge-stable as its source");
  }

  @Test
  void aToleranceNotBelowTheSelectedPodCountIsWarnedAbout() {
    GuardedRolloutSpec spec = RolloutFixtures.rollout("r", "src", 1).getSpec();
    spec.strategy.maxUnhealthyPods = 10;
    assertThat(SpecCheck.warnings(spec, 4))
        .singleElement()
        .asString()
        .startsWith("spec.strategy.maxUnhealthyPods: 10 is not below the 4 pods");
    spec.strategy.maxUnhealthyPods = 3;
    assertThat(SpecCheck.warnings(spec, 4)).isEmpty();
    assertThat(SpecCheck.warnings(spec, -1)).as("unknown count").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachErrorNamesItsField(String name, Consumer<GuardedRolloutSpec> change, String error) {
    GuardedRolloutSpec spec = RolloutFixtures.rollout("r", "src", 1).getSpec();
    change.accept(spec);
    List<String> errors = SpecCheck.errors(spec);
    if (error == null) {
      assertThat(errors).isEmpty();
    } else {
      assertThat(errors).singleElement().asString().startsWith(error);
    }
  }
}
