package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input is answered fast with a clear reason: never a hang, a crash or an exception. Fast
 * means relative to this machine in this run: at most {@link #FACTOR} times a bare JSON parse of
 * the same amount of benign JSON (at least 64 KiB), the best of three after two warm-ups ({@link
 * Timing}); absolute figures are benchmarks, not assertions (bench/README.md).
 */
class BoundsTest {
  static final double FACTOR = 300;

  /**
   * Loads the parsers and the CEL runtime once, so the timings below measure the answer to hostile
   * input, not class loading (a running webhook has those classes loaded already).
   */
  @BeforeAll
  static void warmUp() throws Exception {
    Policy policy =
        Fixtures.policy(
            "rules:\n- {name: j, key: '*.json', format: json}\n- {name: y, key: '*.yaml', format:"
                + " yaml}\n- {name: c, cel: 'parsed[\"a.json\"].all(x, x > 0)'}");
    report(policy, Target.create(configMap(Map.of("a.json", "[1, 2]", "b.yaml", "a: [1]"))));
  }

  static List<String> timed(String what, long bytes, Supplier<List<String>> evaluation) {
    Timing.Timed<List<String>> timed = Timing.bestOf(2, 3, evaluation);
    Timing.assertWithin(what, timed, (int) Math.min(Integer.MAX_VALUE, bytes), FACTOR);
    return timed.result();
  }

  static List<String> evaluate(Policy policy, Map<String, String> data) {
    return evaluate(policy, data, FACTOR);
  }

  static List<String> evaluate(Policy policy, Map<String, String> data, double factor) {
    long bytes = data.values().stream().mapToLong(String::length).sum();
    String what =
        StackWalker.getInstance()
            .walk(s -> s.dropWhile(f -> f.getMethodName().equals("evaluate")).findFirst())
            .get()
            .getMethodName();
    Timing.Timed<List<String>> timed =
        Timing.bestOf(2, 3, () -> report(policy, Target.create(configMap(data))));
    Timing.assertWithin(what, timed, (int) Math.min(Integer.MAX_VALUE, bytes), factor);
    return timed.result();
  }

  @Test
  void aHundredThousandDeepJsonArray() throws Exception {
    Policy policy = Fixtures.rule("key: f\nformat: json");
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThat(evaluate(policy, Map.of("f", deep)))
        .containsExactly(
            "f: invalid JSON: nesting deeper than the limit of 64 at line 1, column 66");
  }

  @Test
  void aHundredThousandDeepYamlSequence() throws Exception {
    Policy policy = Fixtures.rule("key: f\nformat: yaml");
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThat(evaluate(policy, Map.of("f", deep)))
        .containsExactly(
            "f: invalid YAML: nesting deeper than the limit of 64 at line 1, column 65");
  }

  @Test
  void aYamlAliasBomb() throws Exception {
    // Billion laughs: nine levels of nine aliases each would expand to 9^9 strings.
    StringBuilder bomb =
        new StringBuilder(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char level = 'b'; level <= 'i'; level++) {
      char prev = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [");
      bomb.append(String.join(",", java.util.Collections.nCopies(9, "*" + prev))).append("]\n");
    }
    Policy policy = Fixtures.rule("key: f\nformat: yaml");
    // Stopped while it is built, at the first alias past the node budget (4 per character).
    assertThat(evaluate(policy, Map.of("f", bomb.toString())))
        .containsExactly("f: invalid YAML: aliases expand the document to more than 11368 nodes");
  }

  @Test
  void moreThanFiftyAliasesOfCollectionsEvenSmallOnes() throws Exception {
    String yaml =
        "a: &a []\nb: [" + String.join(", ", java.util.Collections.nCopies(51, "*a")) + "]";
    Policy policy = Fixtures.rule("key: f\nformat: yaml");
    assertThat(evaluate(policy, Map.of("f", yaml)))
        .containsExactly("f: invalid YAML: more than 50 aliases of collections");
    String fifty =
        "a: &a []\nb: [" + String.join(", ", java.util.Collections.nCopies(50, "*a")) + "]";
    assertThat(evaluate(policy, Map.of("f", fifty))).isEmpty();
  }

  @Test
  void aliasesWithinTheLimitStillCannotExpandPastTheNodeBudget() throws Exception {
    // 24 levels of 2 aliases: 48 aliases, under the limit of 50, but 2^24 nodes once expanded.
    StringBuilder yaml = new StringBuilder("l0: &l0 [x, y]\n");
    for (int i = 1; i <= 24; i++) {
      yaml.append("l").append(i).append(": &l").append(i);
      yaml.append(" [*l").append(i - 1).append(", *l").append(i - 1).append("]\n");
    }
    Policy policy = Fixtures.rule("key: f\nformat: yaml");
    List<String> report = evaluate(policy, Map.of("f", yaml.toString()));
    assertThat(report).hasSize(1);
    assertThat(report.get(0))
        .startsWith("f: invalid YAML: aliases expand the document to more than");
  }

  @Test
  void aFourMebibyteValueIsMeasuredButNeverParsed() throws Exception {
    Policy policy = Fixtures.rule("maxBytes: 1048576\nformat: json");
    String big = "[" + "1,".repeat(2 * 1024 * 1024 - 1) + "1]";
    byte[] bytes = new byte[4 * 1024 * 1024];
    String base64 = Base64.getEncoder().encodeToString(bytes);
    List<String> report =
        timed(
            "a four MiB value",
            big.length() + base64.length(),
            () ->
                report(
                    policy, Target.create(configMap(Map.of("text", big), Map.of("bin", base64)))));
    assertThat(report)
        .containsExactly(
            "text: value is 4194305 bytes, exceeds maxBytes 1048576",
            "text: value is 4194305 bytes, over the parse limit of 3145728 bytes",
            "bin: value is 4194304 bytes, exceeds maxBytes 1048576",
            "bin: value is 4194304 bytes, over the parse limit of 3145728 bytes");
  }

  @Test
  void aCelExpressionOverItsCostLimit() throws Exception {
    StringBuilder features = new StringBuilder("{\"features\": [");
    for (int i = 0; i < 2000; i++) {
      features.append(i == 0 ? "" : ",").append("{\"name\": \"f").append(i).append("\"}");
    }
    features.append("]}");
    // A cost limit a cold JVM reaches well within the time budget, so the cost limit answers.
    Limits limits = new Limits(64, 50, 3L << 20, 20_000, Duration.ofSeconds(10));
    Policy policy =
        Fixtures.manifest(
            Fixtures.yaml(
                """
                kind: ClusterConfigPolicy
                metadata: {name: pairs}
                spec:
                  rules:
                    - name: parse
                      key: f
                      format: json
                    - name: pairs
                      cel: >-
                        parsed.f.features.all(a, parsed.f.features.all(b,
                        a == b || a.name != b.name))
                """),
            new PolicyCompiler(limits));
    // Bounded by the cost limit (20,000 steps), not by the input's size: 75 to 400 bare parses of
    // 64 KiB on the build machine (bench/README.md); the answer proves the limit stopped it.
    assertThat(evaluate(policy, Map.of("f", features.toString()), 5000))
        .containsExactly(
            "CEL cost limit 20000 exceeded (parsed.f.features.all(a, parsed.f.features.all(b, a =="
                + " b || a.name != b.name)))");
  }

  @Test
  void aPolicyPastTheTimeBudgetReportsItInsteadOfHanging() throws Exception {
    Limits tight = new Limits(64, 50, 3L << 20, Long.MAX_VALUE, Duration.ofMillis(50));
    Policy slow =
        Fixtures.manifest(
            Fixtures.yaml(
                """
                kind: ClusterConfigPolicy
                metadata: {name: slow}
                spec:
                  rules:
                    - name: spin
                      cel: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b,
                        [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d,
                        [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f,
                        [1,2,3,4,5,6,7,8,9,10].all(g, a + b + c + d + e + f + g > 0)))))))"
                    - name: after
                      maxKeys: 0
                """),
            new PolicyCompiler(tight));
    Policy next =
        Fixtures.manifest(
            Fixtures.yaml(
                "kind: ClusterConfigPolicy\nmetadata: {name: next}\nspec: {rules: [{name: keys, maxKeys: 0}]}"),
            new PolicyCompiler(tight));
    PolicySet set = PolicySet.of(List.of(slow, next));
    // The answer itself shows the 50 ms budget stopped the evaluation; the timeout only catches a
    // hang (an evaluation the budget failed to stop).
    List<String> lines =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                Fixtures.lines(
                    set.evaluate(Target.create(configMap(Map.of("a", "1")))).violations()));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith("slow/spin: evaluation exceeded time budget of 50 ms (slow/spin ran ");
    assertThat(lines.get(1))
        .startsWith("next/keys: evaluation exceeded time budget of 50 ms (slow/spin ran ");
  }
}
