package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutHistoryEntry;
import io.configguard.api.RolloutPhase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusWriterTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  @ParameterizedTest(name = "{0} circuit={1} heldFrom={2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          Pending     | false | -           | False | False | False          | True  | False
          Validating  | false | -           | False | True  | False          | True  | False
          Progressing | false | -           | False | True  | False          | True  | False
          Paused      | false | Progressing | False | False | False          | False | False
          Frozen      | false | Progressing | False | False | False          | False | False
          Succeeded   | false | -           | True  | False | False          | False | False
          RolledBack  | false | -           | False | False | RolledBack     | False | True
          RolledBack  | true  | -           | False | False | CircuitOpen    | False | True
          Aborted     | false | -           | False | False | Aborted        | False | True
          Conflict    | false | -           | False | False | Conflict       | False | True
          Failed      | false | -           | False | False | RevisionFailed | False | True
          Failed      | false | Succeeded   | False | False | InvalidSpec    | False | True
          """)
  void conditionsFollowThePhase(
      RolloutPhase phase,
      boolean circuit,
      RolloutPhase heldFrom,
      String ready,
      String progressing,
      String degraded,
      String reconciling,
      String stalled) {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    s.phase = phase;
    s.heldFrom = heldFrom;
    s.circuitOpenGeneration = circuit ? 3L : null;
    s.message = "what is going on";
    StatusWriter.finish(s, 3, T0);
    assertThat(status(s, "Ready")).isEqualTo(ready);
    assertThat(status(s, "Progressing")).isEqualTo(progressing);
    if (degraded.equals("False")) {
      assertThat(status(s, "Degraded")).isEqualTo("False");
    } else {
      assertThat(status(s, "Degraded")).isEqualTo("True");
      assertThat(condition(s, "Degraded").getReason()).isEqualTo(degraded);
      assertThat(condition(s, "Stalled").getMessage()).isEqualTo("what is going on");
    }
    assertThat(status(s, "Reconciling")).isEqualTo(reconciling);
    assertThat(status(s, "Stalled")).isEqualTo(stalled);
    assertThat(s.observedGeneration).isEqualTo(3);
    assertThat(s.conditions).allMatch(c -> c.getObservedGeneration() == 3);
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusOrMessageChanges() {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    s.phase = RolloutPhase.Progressing;
    s.currentStep = 1;
    s.message = "step 1";
    StatusWriter.finish(s, 1, T0);
    GuardedRolloutStatus copy = StatusWriter.copy(s);
    StatusWriter.finish(copy, 1, T1);
    assertThat(StatusWriter.same(s, copy)).isTrue();

    copy.message = "step 2";
    copy.currentStep = 2;
    StatusWriter.finish(copy, 1, T1);
    assertThat(condition(copy, "Progressing").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(condition(copy, "Progressing").getReason()).isEqualTo("Step2");
    assertThat(condition(copy, "Degraded").getLastTransitionTime()).isEqualTo(T0.toString());
    assertThat(StatusWriter.same(s, copy)).isFalse();

    copy.phase = RolloutPhase.Succeeded;
    StatusWriter.finish(copy, 1, T1.plusSeconds(60));
    assertThat(condition(copy, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(copy, "Ready").getLastTransitionTime())
        .isEqualTo(T1.plusSeconds(60).toString());
  }

  @Test
  void listsStayBoundedNewestLast() {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    for (long i = 1; i <= 50; i++) {
      StatusWriter.addHistory(
          s, new RolloutHistoryEntry(i, "h" + i, RolloutPhase.Succeeded, "", ""));
      StatusWriter.addFailed(s, new FailedRevision(i, "h" + i, "x".repeat(5000), ""));
    }
    assertThat(s.history)
        .hasSize(StatusWriter.MAX_HISTORY)
        .last()
        .extracting(h -> h.revision)
        .isEqualTo(50L);
    assertThat(s.failedRevisions).hasSize(StatusWriter.MAX_FAILED);
    assertThat(s.failedRevisions.get(0).revision).isEqualTo(50L - StatusWriter.MAX_FAILED + 1);
    assertThat(s.failedRevisions.get(0).reason).hasSizeLessThanOrEqualTo(1024);
  }

  private static String status(GuardedRolloutStatus s, String type) {
    return condition(s, type).getStatus();
  }

  private static Condition condition(GuardedRolloutStatus s, String type) {
    return s.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
