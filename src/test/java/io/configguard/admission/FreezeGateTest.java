package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.policy.Freeze;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The freeze gate: a write a freeze in force covers is denied, unless its user breaks the glass.
 */
class FreezeGateTest {
  static final String REASON = "peak traffic (CHG-4711)";

  static Freeze holiday() throws Exception {
    ConfigFreezeSpec spec =
        new ObjectMapper()
            .readValue(
                """
                {"reason": "%s", "denyWrites": true,
                 "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}},
                 "match": {"resources": [{"apiGroups": [""], "kinds": ["ConfigMap"]}]},
                 "breakGlass": {"groups": ["sre-break-glass"]}}
                """
                    .formatted(REASON),
                ConfigFreezeSpec.class);
    return Freeze.compile("holiday", spec);
  }

  static Passage check(FreezeGate gate, Review review, String namespace) {
    return gate.check(review, review.target(Map.of("kubernetes.io/metadata.name", namespace)));
  }

  @Test
  void deniesAFrozenWriteNamingTheFreezeAndItsReason() throws Exception {
    FreezeGate gate = new FreezeGate(FreezeGateTest::freezes);
    Review review = GateReviews.configMap("UPDATE", "app", "alice", "dev", "{}");
    Passage passage = check(gate, review, "edge");
    assertThat(passage.denied()).isTrue();
    assertThat(passage.denial())
        .isEqualTo("ConfigFreeze holiday denies UPDATE of ConfigMap edge/app: " + REASON);
  }

  @Test
  void passesBreakGlassWithANoteAndUnfrozenWritesWithNone() throws Exception {
    FreezeGate gate = new FreezeGate(FreezeGateTest::freezes);
    Passage glass =
        check(gate, GateReviews.configMap("UPDATE", "app", "bob", "sre-break-glass", "{}"), "edge");
    assertThat(glass.denied()).isFalse();
    assertThat(glass.notes())
        .containsExactly(
            "break-glass: ConfigFreeze holiday is in force ("
                + REASON
                + "); this write by bob is admitted and logged");

    Passage elsewhere =
        check(gate, GateReviews.configMap("UPDATE", "app", "alice", "dev", "{}"), "payments");
    assertThat(elsewhere.denied()).isFalse();
    assertThat(elsewhere.notes()).isEmpty();
  }

  @Test
  void takesTheFreezesInForceAtEachRequest() throws Exception {
    List<List<Freeze>> inForce = new java.util.ArrayList<>(List.of(List.of()));
    FreezeGate gate = new FreezeGate(() -> inForce.get(0));
    Review review = GateReviews.configMap("DELETE", "app", "alice", "dev", "{}");
    assertThat(check(gate, review, "edge").denied()).isFalse();
    inForce.set(0, List.of(holiday()));
    assertThat(check(gate, review, "edge").denied()).isTrue();
  }

  static List<Freeze> freezes() {
    try {
      return List.of(holiday());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
