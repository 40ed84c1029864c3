package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.PolicySpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A policy is compiled once per version, however many readers ask; one change, one compile. */
class CompiledPoliciesTest {
  static PolicySpec spec(int maxKeys) {
    return Serialization.unmarshal(
        "rules: [{name: keys, maxKeys: " + maxKeys + "}]", PolicySpec.class);
  }

  final CompiledPolicies compiled = new CompiledPolicies(new PolicyCompiler(Limits.DEFAULT));

  @Test
  void aVersionSeenBeforeIsNotCompiledAgain() {
    PolicyRef ref = PolicyRef.cluster("keys");
    CompiledPolicies.Outcome first = compiled.compile(ref, "uid/g1", spec(4));
    assertThat(compiled.compile(ref, "uid/g1", spec(4))).isSameAs(first);
    assertThat(compiled.compilations()).isEqualTo(1);
    CompiledPolicies.Outcome second = compiled.compile(ref, "uid/g2", spec(5));
    assertThat(second).isNotSameAs(first);
    assertThat(compiled.compilations()).isEqualTo(2);
  }

  @Test
  void aChangeToOneOfAThousandRecompilesOne() {
    List<CompiledPolicies.Request> requests =
        IntStream.range(0, 1000)
            .mapToObj(
                i ->
                    new CompiledPolicies.Request(
                        PolicyRef.namespaced("team-" + i, "keys"), "uid-" + i + "/g1", spec(4)))
            .toList();
    assertThat(compiled.compileAll(requests)).allMatch(CompiledPolicies.Outcome::valid);
    assertThat(compiled.compilations()).isEqualTo(1000);

    compiled.compileAll(requests);
    compiled.compile(PolicyRef.namespaced("team-7", "keys"), "uid-7/g2", spec(9));
    compiled.compileAll(
        requests.stream()
            .map(
                r ->
                    r.ref().namespace().equals("team-7")
                        ? new CompiledPolicies.Request(r.ref(), "uid-7/g2", spec(9))
                        : r)
            .toList());
    assertThat(compiled.compilations()).isEqualTo(1001);
  }

  @Test
  void anInvalidPolicyIsRememberedWithItsReasons() {
    PolicyRef ref = PolicyRef.cluster("none");
    CompiledPolicies.Outcome outcome = compiled.compile(ref, "v1", new PolicySpec());
    assertThat(outcome.valid()).isFalse();
    assertThat(outcome.reasons()).containsExactly("spec.rules: at least one rule is required");
    assertThat(compiled.compile(ref, "v1", new PolicySpec())).isSameAs(outcome);
    assertThat(compiled.compilations()).isEqualTo(1);
  }

  @Test
  void aForgottenPolicyIsCompiledAfreshOnlyIfAskedAgain() {
    PolicyRef ref = PolicyRef.cluster("keys");
    compiled.compile(ref, "a/g1", spec(4));
    compiled.forget(ref, "a/g0"); // an older version: the newer stays
    compiled.compile(ref, "a/g1", spec(4));
    assertThat(compiled.compilations()).isEqualTo(1);
    compiled.forget(ref, "a/g1");
    compiled.compile(ref, "a/g1", spec(4));
    assertThat(compiled.compilations()).isEqualTo(2);
  }

  @Test
  void theVersionIsTheUidAndGenerationElseTheResourceVersion() {
    assertThat(CompiledPolicies.version("u", 3L, "77")).isEqualTo("u/g3");
    assertThat(CompiledPolicies.version("u", null, "77")).isEqualTo("u/rv77");
  }

  @Test
  void freezeChangesAreToldToListeners() {
    AtomicInteger told = new AtomicInteger();
    compiled.onFreezeChange(told::incrementAndGet);
    ConfigFreezeSpec writes = new ConfigFreezeSpec();
    writes.denyWrites = true;
    assertThat(compiled.putFreeze("holiday", writes)).isEmpty();
    assertThat(compiled.freezes()).extracting(Freeze::name).containsExactly("holiday");
    compiled.putFreeze("rollouts-only", new ConfigFreezeSpec());
    assertThat(compiled.freezes()).extracting(Freeze::name).containsExactly("holiday");
    compiled.removeFreeze("holiday");
    assertThat(compiled.freezes()).isEmpty();
    assertThat(told).hasValue(3);
  }
}
