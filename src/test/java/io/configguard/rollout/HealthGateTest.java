package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.annotated;
import static io.configguard.rollout.RolloutFixtures.pod;
import static io.configguard.rollout.RolloutFixtures.withReady;
import static io.configguard.rollout.RolloutFixtures.withRestarts;
import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.HealthCheck;
import io.configguard.api.HttpGetCheck;
import io.configguard.policy.PolicySet;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health gate over a step's candidate pods, without a cluster behind it. */
class HealthGateTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final long REVISION = 5;

  GuardedRollout rollout;
  GuardedRolloutStatus status;
  Map<String, ProbeResult> probes;
  List<List<String>> probed;
  Instant now;

  @BeforeEach
  void setUp() {
    rollout = RolloutFixtures.rollout("r", "r", 60, "1", "100%");
    status = new GuardedRolloutStatus();
    probes = new HashMap<>();
    probed = new ArrayList<>();
    now = T0;
  }

  HealthGate assess(List<Pod> selected, List<Pod> moved) {
    RolloutServices services =
        new RolloutServices(
            ns -> PolicySet.EMPTY,
            (pods, check) -> {
              probed.add(pods.stream().map(p -> p.getMetadata().getName()).toList());
              return probes;
            },
            new RolloutMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC(),
            FakeCluster.MOVES);
    RolloutState state =
        new RolloutState(
            rollout,
            status,
            new FakeCluster(),
            services,
            now,
            List.of(),
            Optional.empty(),
            List.of());
    return HealthGate.assess(state, selected, moved, REVISION);
  }

  static Pod moved(String name, boolean ready, int restarts) {
    return annotated(
        withRestarts(withReady(pod(name, "node-a"), ready), restarts),
        RolloutKeys.ROLLOUT,
        "r",
        RolloutKeys.REVISION,
        Long.toString(REVISION),
        RolloutKeys.RESTARTS_AT_MOVE,
        "0",
        RolloutKeys.READY_AT_MOVE,
        "true",
        RolloutKeys.MOVED_AT,
        T0.toString());
  }

  void httpCheck(String revisionHeader, int loadTimeoutSeconds) {
    rollout.getSpec().healthCheck = new HealthCheck();
    rollout.getSpec().healthCheck.httpGet = new HttpGetCheck();
    rollout.getSpec().healthCheck.httpGet.port = 8080;
    rollout.getSpec().healthCheck.httpGet.revisionHeader = revisionHeader;
    rollout.getSpec().healthCheck.httpGet.loadTimeoutSeconds = loadTimeoutSeconds;
  }

  @Test
  void healthyPodsPassAndNothingIsProbedWithoutAnHttpCheck() {
    List<Pod> pods = List.of(moved("a", true, 0), moved("b", true, 0));
    HealthGate gate = assess(pods, pods);
    assertThat(gate.unhealthy()).isEmpty();
    assertThat(gate.loading()).isEmpty();
    assertThat(gate.fails()).isFalse();
    assertThat(gate.tolerance()).isEmpty();
    assertThat(gate.passed(pods, T0, T0.plusSeconds(60), 60))
        .isEqualTo("every candidate pod stayed healthy for 60s");
    assertThat(probed).isEmpty();
  }

  @Test
  void oneUnhealthyPodMoreThanToleratedFails() {
    List<Pod> pods = List.of(moved("a", false, 0), moved("b", true, 2), moved("c", true, 0));
    rollout.getSpec().strategy.maxUnhealthyPods = 1;
    HealthGate gate = assess(pods, pods);
    assertThat(gate.unhealthy()).containsOnlyKeys("a", "b");
    assertThat(gate.fails()).isTrue();
    assertThat(gate.summary())
        .isEqualTo("2 unhealthy pods (tolerated 1): a not Ready, b restarts 0→2");

    rollout.getSpec().strategy.maxUnhealthyPods = 2;
    HealthGate tolerated = assess(pods, pods);
    assertThat(tolerated.fails()).isFalse();
    assertThat(tolerated.tolerance()).isEqualTo(", 2 of them unhealthy (tolerated 2): a, b");
  }

  @Test
  void aDefaultedMaxUnhealthyPodsToleratesNone() {
    rollout.getSpec().strategy.maxUnhealthyPods = null;
    List<Pod> pods = List.of(moved("a", false, 0));
    assertThat(assess(pods, pods).fails()).isTrue();
  }

  @Test
  void aPodSeenUnhealthyKeepsCountingAfterItDisappears() {
    status.unhealthyPods = List.of("gone");
    List<Pod> pods = List.of(moved("a", true, 0));
    HealthGate gate = assess(pods, pods);
    assertThat(gate.unhealthy()).containsEntry("gone", "was unhealthy, then disappeared");
    assertThat(gate.listed()).containsExactly("gone");
    assertThat(gate.fails()).isTrue();
  }

  @Test
  void onlyMovedPodsAreProbedAndAFailedProbeIsUnhealthy() {
    httpCheck(null, 300);
    Pod a = moved("a", true, 0);
    Pod notMoved = pod("x", "node-b");
    probes.put("a", new ProbeResult.Failed("GET /: 503"));
    HealthGate gate = assess(List.of(a, notMoved), List.of(a));
    assertThat(probed).containsExactly(List.of("a"));
    assertThat(gate.unhealthy()).containsExactly(Map.entry("a", "GET /: 503"));
  }

  @Test
  void aPodLoadsUntilItsLoadTimeoutFromItsOwnMoveThenIsUnhealthy() {
    httpCheck("X-Config-Revision", 120);
    Pod a = moved("a", true, 0);
    probes.put("a", new ProbeResult.Ok("4"));
    now = T0.plusSeconds(120);
    HealthGate loading = assess(List.of(a), List.of(a));
    assertThat(loading.loading()).containsExactly("a");
    assertThat(loading.unhealthy()).isEmpty();

    now = T0.plusSeconds(121);
    HealthGate late = assess(List.of(a), List.of(a));
    assertThat(late.loading()).isEmpty();
    assertThat(late.unhealthy().get("a"))
        .isEqualTo("did not report revision 5 in time (X-Config-Revision: 4)");
  }

  @Test
  void podsThatJoinedDuringTheBakeAreNamedInThePassedStep() {
    Pod early = moved("a", true, 0);
    Pod late = annotated(moved("b", true, 0), RolloutKeys.MOVED_AT, T0.plusSeconds(30).toString());
    List<Pod> pods = List.of(early, late);
    HealthGate gate = assess(pods, pods);
    assertThat(gate.passed(pods, T0, T0.plusSeconds(60), 60))
        .isEqualTo(
            "every candidate pod stayed healthy: 1 for 60s, 1 moved during the bake (pods came"
                + " and went) for 30s at least");
  }
}
