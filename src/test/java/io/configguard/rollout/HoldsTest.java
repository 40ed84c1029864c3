package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.RolloutPhase;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HoldsTest {

  @ParameterizedTest(name = "{0} (heldFrom {1}) frozen={2} invalid={3} paused={4} abort={5}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          Progressing | -           | false | false | false | false | Progressing | -
          Progressing | -           | true  | false | false | false | Frozen      | Progressing
          Progressing | -           | false | true  | false | false | Failed      | Progressing
          Progressing | -           | false | false | true  | false | Paused      | Progressing
          Progressing | -           | false | false | false | true  | Aborted     | -
          Progressing | -           | true  | false | false | true  | Frozen      | Progressing
          Progressing | -           | false | false | true  | true  | Aborted     | -
          Paused      | Progressing | true  | false | true  | false | Frozen      | Progressing
          Frozen      | Progressing | false | false | true  | false | Paused      | Progressing
          Frozen      | Validating  | false | false | false | false | Validating  | -
          Paused      | Progressing | false | false | false | true  | Aborted     | -
          Failed      | Succeeded   | false | false | false | false | Succeeded   | -
          Failed      | -           | false | false | false | false | Failed      | -
          Aborted     | -           | false | false | false | false | Aborted     | -
          -           | -           | false | false | false | false | Pending     | -
          """)
  void holdsOutrankOneAnotherAndResumeWhereTheyStarted(
      RolloutPhase phase,
      RolloutPhase heldFrom,
      boolean frozen,
      boolean invalid,
      boolean paused,
      boolean abort,
      RolloutPhase expected,
      RolloutPhase expectedHeldFrom) {
    GuardedRolloutSpec spec = new GuardedRolloutSpec();
    spec.paused = paused;
    spec.abort = abort;
    ConfigFreeze freeze = new ConfigFreeze();
    freeze.getMetadata().setName("incident-42");
    Holds.Resolution r =
        Holds.resolve(
            phase,
            heldFrom,
            spec,
            frozen ? Optional.of(freeze) : Optional.empty(),
            invalid ? List.of("spec.selector: required") : List.of());
    assertThat(r.run()).isEqualTo(expected);
    assertThat(r.heldFrom()).isEqualTo(expectedHeldFrom);
    assertThat(r.frozenBy()).isEqualTo(frozen ? "incident-42" : null);
  }
}
