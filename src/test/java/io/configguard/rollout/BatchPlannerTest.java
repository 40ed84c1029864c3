package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchPlannerTest {

  @ParameterizedTest(name = "{0} over {1} pods -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          1,10%,50%,100% | 0    | 0,0,0,0
          1,10%,50%,100% | 1    | 1,1,1,1
          1,10%,50%,100% | 2    | 1,2,2,2
          1,10%,50%,100% | 3    | 1,2,3,3
          1,10%,50%,100% | 7    | 1,2,4,7
          1,10%,50%,100% | 10   | 1,2,5,10
          1,10%,50%,100% | 11   | 1,2,6,11
          1,10%,50%,100% | 1000 | 1,100,500,1000
          25%,50%,75%    | 5    | 2,3,4,5
          25%,50%,75%    | 4    | 1,2,3,4
          50%            | 5    | 3,5
          5,3            | 10   | 5,6,10
          20             | 10   | 10,10
          1%,2%          | 99   | 1,2,99
          100%           | 9    | 9
          """)
  void targetsAreCumulativeRoundedUpAndGrowByAtLeastOnePod(
      String steps, int pods, String expected) {
    List<BatchPlanner.StepSize> sizes = BatchPlanner.parse(Arrays.asList(steps.split(",")));
    assertThat(BatchPlanner.targets(sizes, pods))
        .containsExactlyElementsOf(
            Arrays.stream(expected.split(",")).map(Integer::valueOf).toList());
  }

  @ParameterizedTest(name = "steps {0} are refused: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0,100%     | spec.strategy.steps[0]: "0"
          1,0%       | spec.strategy.steps[1]: "0%"
          101%       | spec.strategy.steps[0]: "101%"
          1,ten      | spec.strategy.steps[1]: "ten"
          -1         | spec.strategy.steps[0]: "-1"
          1,2.5%     | spec.strategy.steps[1]: "2.5%"
          """)
  void badStepsNameTheirIndex(String steps, String message) {
    assertThatThrownBy(() -> BatchPlanner.parse(Arrays.asList(steps.split(","))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"'1,10%,50%',4", "'1,10%,100%',3", "'',1"})
  void aLastStepBelowAllPodsGetsAnImplicitHundredPercent(String steps, int count) {
    List<String> list = steps.isEmpty() ? List.of() : Arrays.asList(steps.split(","));
    List<BatchPlanner.StepSize> sizes = BatchPlanner.parse(list);
    assertThat(sizes).hasSize(count).last().isEqualTo(BatchPlanner.StepSize.ALL);
  }
}
