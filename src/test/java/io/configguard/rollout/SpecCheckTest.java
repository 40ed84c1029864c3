package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.HealthCheck;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.Selector;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
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
