package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy gate: the violations split by enforcement (Deny to deny with, Warn to warn with, Audit
 * only logged), counted in the metrics only when the request is.
 */
class PolicyGateTest {
  static final String POLICIES =
      """
      apiVersion: configguard.io/v1alpha1
      kind: ConfigPolicy
      metadata: {name: deny-keys, namespace: edge}
      spec: {enforcement: Deny, match: {names: [app]}, rules: [{name: keys, maxKeys: 1}]}
      ---
      apiVersion: configguard.io/v1alpha1
      kind: ConfigPolicy
      metadata: {name: warn-keys, namespace: edge}
      spec: {enforcement: Warn, match: {names: [app, calm]}, rules: [{name: keys, maxKeys: 1}]}
      ---
      apiVersion: configguard.io/v1alpha1
      kind: ConfigPolicy
      metadata: {name: audit-keys, namespace: edge}
      spec: {enforcement: Audit, match: {names: [app, calm, quiet]}, rules: [{name: keys, maxKeys: 1}]}
      """;

  @TempDir Path dir;

  record Setup(PolicyGate gate, AdmissionMetrics metrics, SimpleMeterRegistry registry) {}

  Setup setup() throws Exception {
    Files.writeString(dir.resolve("policies.yaml"), POLICIES);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AdmissionMetrics metrics = new AdmissionMetrics(registry);
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(dir), "edge"));
    assertThat(index.rejected()).isEmpty();
    return new Setup(
        new PolicyGate(index::current, () -> "", Clock.systemUTC(), metrics), metrics, registry);
  }

  static PolicyGate.Judgement judge(PolicyGate gate, String name, boolean counted)
      throws Exception {
    Review review =
        GateReviews.configMap("CREATE", name, "alice", "dev", "{\"a\": \"1\", \"b\": \"2\"}");
    return gate.judge(review, review.target(Map.of()), counted);
  }

  @Test
  void splitsTheViolationsByEnforcement() throws Exception {
    PolicyGate gate = setup().gate();
    PolicyGate.Judgement app = judge(gate, "app", true);
    assertThat(app.denials()).singleElement().asString().startsWith("edge/deny-keys/keys: ");
    assertThat(app.warnings()).singleElement().asString().startsWith("edge/warn-keys/keys: ");
    assertThat(app.violated()).isTrue();

    PolicyGate.Judgement calm = judge(gate, "calm", true);
    assertThat(calm.denials()).isEmpty();
    assertThat(calm.warnings()).singleElement().asString().startsWith("edge/warn-keys/keys: ");

    PolicyGate.Judgement quiet = judge(gate, "quiet", true);
    assertThat(quiet.denials()).isEmpty();
    assertThat(quiet.warnings()).isEmpty();
    assertThat(quiet.violated()).isTrue();

    assertThat(judge(gate, "other", true))
        .isEqualTo(new PolicyGate.Judgement(List.of(), List.of(), false));
  }

  @Test
  void countsTheViolationsOnlyOfCountedRequests() throws Exception {
    Setup setup = setup();
    judge(setup.gate(), "app", false);
    assertThat(setup.registry().find("configguard.admission.violations").counters()).isEmpty();
    judge(setup.gate(), "app", true);
    assertThat(setup.registry().find("configguard.admission.violations").counters()).hasSize(3);
  }
}
