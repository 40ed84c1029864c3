package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 items 3 and 4 under a small heap: the JSON Schema anyOf/$ref bomb (22 levels) and the
 * CEL replace bomb ended a JVM of this size with OutOfMemoryError; now each is refused when it is
 * compiled, so it never runs. The drill runs in a forked JVM with the heap bound.
 */
class PolicyBombHeapTest {
  @ParameterizedTest
  @ValueSource(strings = {"schema", "cel"})
  void theAttackPolicyIsRefusedAndTheJvmSurvives(String attack) throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            System.getProperty("java.class.path"),
            PolicyBombDrill.class.getName(),
            attack);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // A hang guard, not a speed claim.
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output).doesNotContain("OutOfMemoryError");
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).as(output).contains("refused: spec.rules[0]");
  }
}
