package io.configguard.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.PolicyStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.lifecycle.PolicyStatuses;
import io.configguard.rollout.StatusWriter;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Flux's health check concludes from our statuses, computed with kstatus' rules: a stale
 * observedGeneration or Reconciling=True is InProgress, Stalled=True is Failed, Ready=True is
 * Current. The conditions themselves are asserted per phase in StatusWriterTest and
 * PolicyStatusesTest; this is the reading a Kustomization's healthChecks apply to them.
 */
class FluxHealthTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** kstatus' computation for a resource with standard conditions. */
  static String kstatus(long generation, Long observed, List<Condition> conditions) {
    if (observed == null || observed != generation) {
      return "InProgress";
    }
    if (is(conditions, "Stalled")) {
      return "Failed";
    }
    if (is(conditions, "Reconciling")) {
      return "InProgress";
    }
    return is(conditions, "Ready") ? "Current" : "InProgress";
  }

  static boolean is(List<Condition> conditions, String type) {
    return conditions.stream()
        .anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True"));
  }

  @ParameterizedTest(name = "{0} circuit={1} -> {2}")
  @CsvSource({
    "Pending, false, InProgress",
    "Validating, false, InProgress",
    "Progressing, false, InProgress",
    "Succeeded, false, Current",
    "RolledBack, false, Failed",
    "RolledBack, true, Failed",
    "Progressing, true, Failed",
    "Conflict, false, Failed",
    "Failed, false, Failed",
    "Aborted, false, Failed",
  })
  void guardedRolloutPhasesReadAsFluxExpects(RolloutPhase phase, boolean circuit, String flux) {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    s.phase = phase;
    s.circuitOpenGeneration = circuit ? 4L : null;
    s.message = "step 2/4: 3 pods unhealthy";
    StatusWriter.finish(s, 4, NOW);
    assertThat(kstatus(4, s.observedGeneration, s.conditions)).isEqualTo(flux);
    // a spec the operator has not seen yet is never Current, whatever the old conditions say
    assertThat(kstatus(5, s.observedGeneration, s.conditions)).isEqualTo("InProgress");
    if (flux.equals("Failed")) {
      Condition stalled =
          s.conditions.stream()
              .filter(c -> c.getType().equals("Stalled"))
              .findFirst()
              .orElseThrow();
      assertThat(stalled.getMessage()).isEqualTo(s.message);
      assertThat(stalled.getObservedGeneration()).isEqualTo(4);
    }
  }

  @Test
  void policiesAreCurrentWhenCompiledAndFailedWhenInvalid() {
    PolicyStatus good = PolicyStatuses.next(null, 2, List.of(), List.of(), null, NOW);
    assertThat(kstatus(2, good.observedGeneration, good.conditions)).isEqualTo("Current");

    PolicyStatus bad =
        PolicyStatuses.next(
            null, 3, List.of("spec.rules[0].cel: syntax error"), List.of(), null, NOW);
    assertThat(kstatus(3, bad.observedGeneration, bad.conditions)).isEqualTo("Failed");
    assertThat(bad.conditions)
        .filteredOn(c -> c.getType().equals("Stalled"))
        .singleElement()
        .satisfies(c -> assertThat(c.getMessage()).contains("spec.rules[0].cel: syntax error"));
  }
}
