package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 2: ids whose {@code String.hashCode} collide (blocks of "Aa"/"BB") must not turn
 * the repeat check quadratic. 65,536 such ids took the 500 ms budget and denied a valid config.
 */
class HashFloodTest {
  static final int IDS = 65_536;

  /** The i-th of 2^16 distinct strings that all share one String.hashCode. */
  static String colliding(int i) {
    StringBuilder b = new StringBuilder(32);
    for (int k = 0; k < 16; k++) {
      b.append(((i >> k) & 1) == 0 ? "Aa" : "BB");
    }
    return b.toString();
  }

  @Test
  void theIdsCollideUnderStringHashCode() {
    Set<Integer> codes = new HashSet<>();
    for (int i = 0; i < IDS; i++) {
      codes.add(colliding(i).hashCode());
    }
    assertThat(codes).hasSize(1);
  }

  @Test
  void keyedHashesOfCollidingIdsSpread() {
    Set<Integer> buckets = new HashSet<>();
    for (int i = 0; i < IDS; i++) {
      buckets.add(KeyedHash.Key.of(JsonNodeFactory.instance.textNode(colliding(i))).hashCode());
    }
    // Random 32-bit codes: about 0.5 expected collisions among 65,536.
    assertThat(buckets.size()).isGreaterThan(IDS - 16);
  }

  @Test
  void equalValuesHashEqually() {
    var f = JsonNodeFactory.instance;
    assertThat(KeyedHash.of(f.numberNode(1))).isEqualTo(KeyedHash.of(f.numberNode(1.0)));
    assertThat(KeyedHash.of(Fixtures.yaml("{a: 1, b: [x, 2]}")))
        .isEqualTo(KeyedHash.of(Fixtures.yaml("{b: [x, 2], a: 1}")));
    assertThat(KeyedHash.of(Fixtures.yaml("{a: 1, b: 2}")))
        .isNotEqualTo(KeyedHash.of(Fixtures.yaml("{a: 2, b: 1}")));
  }

  @Test
  void aValidConfigOfCollidingIdsIsAllowed() throws Exception {
    // A budget of 5 s rather than 500 ms: the build machine is shared, and the quadratic check
    // (2 x 10^9 string comparisons) takes far longer than either.
    Limits limits =
        new Limits(
            Limits.DEFAULT.maxDepth(),
            Limits.DEFAULT.maxYamlAliases(),
            Limits.DEFAULT.maxDocumentBytes(),
            Limits.DEFAULT.celCostLimit(),
            Duration.ofSeconds(5));
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                "kind: ClusterConfigPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - {name: r,"
                    + " key: ids.json, format: json, unique: {path: '$[*].id'}}"),
            new PolicyCompiler(limits));
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < IDS; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(colliding(i)).append("\"}");
    }
    json.append(']');
    assertThat(report(policy, Target.create(configMap(Map.of("ids.json", json.toString())))))
        .isEmpty();
  }

  @Test
  void aRepeatAmongCollidingIdsIsStillFound() throws Exception {
    Policy policy = Fixtures.rule("key: ids.json\nformat: json\nunique: {path: '$[*]'}");
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 1024; i++) {
      json.append('"').append(colliding(i)).append("\",");
    }
    json.append('"').append(colliding(7)).append("\"]");
    assertThat(report(policy, Target.create(configMap(Map.of("ids.json", json.toString())))))
        .containsExactly("ids.json: duplicate \"" + colliding(7) + "\" at $[1024] (first at $[7])");
  }
}
