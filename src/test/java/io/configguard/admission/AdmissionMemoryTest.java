package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 1: concurrent large values must not exhaust the heap. {@link MemoryDrill} runs in a
 * forked JVM with the chart's heap (about 230 MiB) and -XX:+ExitOnOutOfMemoryError, as the pod
 * does: 64 concurrent worst-case 3 MiB requests and small requests beside them.
 */
class AdmissionMemoryTest {
  static final String HEAP = "-Xmx230m";

  record Run(int exit, String output) {}

  static Run drill(String mode, int heavy, int light) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(HEAP);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MemoryDrill.class.getName());
    command.add(mode);
    command.add(String.valueOf(heavy));
    command.add(String.valueOf(light));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void sixtyFourWorstCaseRequestsUnderTheChartsHeapAreAllAnswered() throws Exception {
    Run run = drill("gated", 64, 20);
    assertThat(run.output()).doesNotContain("OutOfMemoryError");
    assertThat(run.exit()).as(run.output()).isZero();
    String line = run.output().lines().filter(l -> l.startsWith("DRILL")).findFirst().orElseThrow();
    // Every heavy request answered: evaluated (allowed with a warning) or refused with 429.
    assertThat(count(line, "answered") + count(line, "busy")).as(line).isEqualTo(64);
    assertThat(count(line, "answered")).as(line).isPositive();
    // Small requests are answered while the large ones wait.
    assertThat(count(line, "lightAnswered")).as(line).isEqualTo(20);
    assertThat(count(line, "peakReserved")).as(line).isLessThanOrEqualTo(count(line, "budget"));
  }

  /** The same drill without the gate, as the webhook ran before: the JVM dies. */
  @Test
  void withoutTheGateTheSameDrillRunsOutOfMemory() throws Exception {
    Run run = drill("ungated", 64, 0);
    assertThat(run.output()).contains("OutOfMemoryError");
    assertThat(run.exit()).isNotZero();
  }

  static long count(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return Long.parseLong(part.substring(name.length() + 1));
      }
    }
    throw new AssertionError(name + " not in " + line);
  }
}
