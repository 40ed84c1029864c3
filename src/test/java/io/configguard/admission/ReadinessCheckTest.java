package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Readiness waits for the policies and for a rehearsal of the admission path. */
class ReadinessCheckTest {
  @Test
  void notReadyUntilTheAdmissionPathHasBeenRehearsed() {
    Webhook webhook = new Webhook(new SimpleMeterRegistry(), Optional.empty());
    ReadinessCheck readiness = new ReadinessCheck(webhook);
    assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

    webhook.index().markLoaded(); // informers synced: policies are there, the engine is cold
    HealthCheckResponse loaded = readiness.call();
    assertThat(loaded.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(loaded.getData()).get().extracting(d -> d.get("warm")).isEqualTo(false);

    webhook.warmUp();
    HealthCheckResponse warm = readiness.call();
    assertThat(warm.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(warm.getData()).get().extracting(d -> d.get("warm")).isEqualTo(true);
  }

  @Test
  void policiesReadFromFilesAreRehearsedBeforeLoadingReturns() throws Exception {
    Webhook webhook = new Webhook(new SimpleMeterRegistry(), Optional.empty());
    webhook.loadPolicies(List.of(AdmissionFixturesTest.POLICIES), "default");
    assertThat(webhook.isWarm()).isTrue();
    assertThat(new ReadinessCheck(webhook).call().getStatus())
        .isEqualTo(HealthCheckResponse.Status.UP);
  }

  @Test
  void theRehearsalGoesThroughTheHandlerAndTheEngineWithoutCountingRequests() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AdmissionMetrics metrics = new AdmissionMetrics(registry);
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.markLoaded();
    AdmissionHandler handler =
        new AdmissionHandler(index, ns -> java.util.Map.of(), compiler, metrics);
    List<AdmissionResponse> answers = AdmissionWarmup.run(handler, compiler);
    assertThat(answers)
        .hasSize(2)
        .allSatisfy(
            a -> {
              assertThat(a.getAllowed()).isTrue();
              assertThat(a.getUid()).isEqualTo("configguard-warmup");
            });
    assertThat(registry.find("configguard.admission.requests").counters())
        .extracting(Counter::count)
        .allMatch(c -> c == 0.0);
  }
}
