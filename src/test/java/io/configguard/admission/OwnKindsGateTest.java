package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The own-kinds gate: a GuardedRollout, ConfigFreeze or policy that would not work as written is
 * denied with its reasons; a valid GuardedRollout passes with advice; other kinds pass untouched.
 */
class OwnKindsGateTest {
  static OwnKindsGate gate(int pods) {
    return new OwnKindsGate(
        new PolicyCompiler(Limits.DEFAULT),
        ns -> List.of(),
        () -> (namespace, selector, atMost) -> Math.min(pods, atMost));
  }

  @Test
  void deniesAPolicyThatDoesNotCompile() throws Exception {
    Passage passage =
        gate(0).check(GateReviews.fixture("20-clusterconfigpolicy-create-broken-cel.json"));
    assertThat(passage.denied()).isTrue();
    assertThat(passage.denial()).startsWith("the policy does not compile:\n");
  }

  @Test
  void deniesAConfigFreezeThatWouldNotBeEnforcedAsWritten() throws Exception {
    Passage passage =
        gate(0).check(GateReviews.fixture("27-configfreeze-create-operator-lowercase.json"));
    assertThat(passage.denied()).isTrue();
    assertThat(passage.denial()).startsWith("the ConfigFreeze is invalid:\n");
  }

  @Test
  void deniesAnInvalidRolloutAndAdvisesOnAValidOne() throws Exception {
    ObjectNode review = ReviewTest.fixture("10-guardedrollout-create-edge-routes.json");
    ObjectNode spec = (ObjectNode) review.path("request").path("object").path("spec");
    ((ObjectNode) spec.path("strategy")).put("maxUnhealthyPods", 10);
    Passage advised = gate(4).check(Review.parse(review));
    assertThat(advised.denied()).isFalse();
    assertThat(advised.notes())
        .singleElement()
        .asString()
        .startsWith("spec.strategy.maxUnhealthyPods: 10 is not below the 4 pods");

    spec.remove("sourceRef");
    Passage denied = gate(4).check(Review.parse(review));
    assertThat(denied.denial()).startsWith("the GuardedRollout is invalid:\nspec.sourceRef.name");
  }

  @Test
  void passesOtherKinds() throws Exception {
    assertThat(gate(0).check(GateReviews.configMap("CREATE", "app", "alice", "dev", "{}")))
        .isEqualTo(Passage.pass(List.of()));
    assertThat(gate(0).check(GateReviews.fixture("13-pod-create-edge-router-0.json")))
        .isEqualTo(Passage.pass(List.of()));
  }
}
