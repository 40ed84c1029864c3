package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.annotated;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static io.configguard.rollout.RolloutFixtures.withRestarts;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.rollout.PodHealth.ProbeResult;
import io.configguard.rollout.PodHealth.Readiness;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodHealthTest {

  @ParameterizedTest(name = "ready={0} restarts={1} baseline={2}/{3} probe={4} -> {5} {6}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          true  | 0 | 0 | true  | -       | Healthy   | -
          false | 0 | 0 | true  | -       | Unhealthy | not Ready
          false | 0 | 0 | false | -       | Healthy   | -
          true  | 2 | 0 | true  | -       | Unhealthy | restarts 0→2
          true  | 3 | 3 | true  | -       | Healthy   | -
          false | 4 | 3 | false | -       | Unhealthy | restarts 3→4
          true  | 0 | 0 | true  | ok:7    | Healthy   | -
          true  | 0 | 0 | true  | ok:6    | Loading   | X-Config-Revision: 6
          true  | 0 | 0 | true  | ok:     | Loading   | X-Config-Revision: missing
          true  | 0 | 0 | true  | fail    | Unhealthy | GET /healthz: 503
          """)
  void gate(
      boolean ready,
      int restarts,
      int baseline,
      boolean readyAtMove,
      String probe,
      String verdict,
      String detail) {
    Pod pod =
        annotated(
            withRestarts(withReady(pod("p", "n"), ready), restarts),
            RolloutKeys.RESTARTS_AT_MOVE,
            Integer.toString(baseline),
            RolloutKeys.READY_AT_MOVE,
            Boolean.toString(readyAtMove));
    ProbeResult result =
        probe == null
            ? null
            : probe.equals("fail")
                ? new ProbeResult.Failed("GET /healthz: 503")
                : new ProbeResult.Ok(probe.length() > 3 ? probe.substring(3) : null);
    Readiness v = PodHealth.check(pod, 7, result, probe == null ? null : "X-Config-Revision");
    assertThat(v.getClass().getSimpleName()).isEqualTo(verdict);
    if (detail != null) {
      assertThat(v.toString()).contains(detail);
    }
  }

  @ParameterizedTest
  @CsvSource({"Failed", "Succeeded"})
  void aFinishedPodIsUnhealthy(String phase) {
    Pod pod = pod("p", "n");
    pod.getStatus().setPhase(phase);
    assertThat(PodHealth.check(pod, 1, null, null)).isInstanceOf(Readiness.Unhealthy.class);
  }
}
