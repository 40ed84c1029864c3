package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The track gate: a GuardedRollout's -stable/-candidate ConfigMaps are written by the operator and
 * the garbage collector only; break-glass users pass with a note; all else is not its concern.
 */
class TrackGateTest {
  static final String OPERATOR = "system:serviceaccount:configguard:configguard";

  static TrackGate gate(String operator) {
    GuardedRollout rollout = new GuardedRollout();
    rollout.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("edge").build());
    TrackGate gate =
        new TrackGate(() -> operator, ns -> ns.equals("edge") ? List.of(rollout) : List.of());
    gate.breakGlass(List.of("oncall"), List.of("sre-break-glass"));
    return gate;
  }

  @Test
  void deniesAnyoneElsesWriteOfATrack() throws Exception {
    Passage passage =
        gate(OPERATOR).check(GateReviews.configMap("CREATE", "app-stable", "alice", "dev", "{}"));
    assertThat(passage.denied()).isTrue();
    assertThat(passage.denial())
        .startsWith(
            "ConfigMap app-stable is a delivery track of GuardedRollout app: only configguard's"
                + " operator writes it");
  }

  @Test
  void passesTheOperatorAndTheGarbageCollectorWithoutNotes() throws Exception {
    for (String user :
        List.of(OPERATOR, "system:serviceaccount:kube-system:generic-garbage-collector")) {
      Passage passage =
          gate(OPERATOR).check(GateReviews.configMap("CREATE", "app-candidate", user, "x", "{}"));
      assertThat(passage.denied()).as(user).isFalse();
      assertThat(passage.notes()).as(user).isEmpty();
    }
  }

  @Test
  void passesBreakGlassByUserOrGroupWithANote() throws Exception {
    Passage byUser =
        gate(OPERATOR).check(GateReviews.configMap("CREATE", "app-stable", "oncall", "dev", "{}"));
    Passage byGroup =
        gate(OPERATOR)
            .check(GateReviews.configMap("CREATE", "app-stable", "bob", "sre-break-glass", "{}"));
    assertThat(byUser.denied()).isFalse();
    assertThat(byUser.notes())
        .containsExactly(
            "break-glass: ConfigMap app-stable is a delivery track of GuardedRollout app; this"
                + " CREATE by oncall is admitted and logged, and the operator restores what it"
                + " staged");
    assertThat(byGroup.denied()).isFalse();
    assertThat(byGroup.notes()).singleElement().asString().contains("by bob is admitted");
  }

  @Test
  void isOffWithoutTheOperatorsIdentityAndIgnoresOtherConfigMaps() throws Exception {
    assertThat(gate("").check(GateReviews.configMap("CREATE", "app-stable", "alice", "dev", "{}")))
        .isEqualTo(Passage.pass(List.of()));
    assertThat(gate(OPERATOR).check(GateReviews.configMap("CREATE", "app", "alice", "dev", "{}")))
        .isEqualTo(Passage.pass(List.of()));
    assertThat(
            gate(OPERATOR)
                .check(GateReviews.configMap("CREATE", "other-stable", "alice", "dev", "{}")))
        .isEqualTo(Passage.pass(List.of()));
  }
}
