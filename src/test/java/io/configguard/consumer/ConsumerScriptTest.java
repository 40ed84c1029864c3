package io.configguard.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell version of the consumer's rule, from the example, run by /bin/sh. */
class ConsumerScriptTest {
  @TempDir Path root;
  Path script;

  @BeforeEach
  void extractScript() throws IOException {
    try (InputStream in =
        Files.newInputStream(Path.of("deploy/examples/guarded-rollout/40-consumer-scripts.yaml"))) {
      ConfigMap scripts = Serialization.unmarshal(in, ConfigMap.class);
      script = root.resolve("consume.sh");
      Files.writeString(script, scripts.getData().get("consume.sh"));
    }
    Files.createDirectories(root.resolve("config"));
  }

  @Test
  void itServesOnlyThePointedAtRevisionAndKeepsItWhileTheDirectoriesLag() throws Exception {
    volume("stable", 5, "five");
    volume("candidate", 6, "six");
    revision("");
    assertThat(runOnce()).isEqualTo("5:five");
    revision("6");
    assertThat(runOnce()).isEqualTo("6:six");
    revision("7");
    assertThat(runOnce()).isEqualTo("6:six");
    volume("candidate", 7, "seven");
    assertThat(runOnce()).isEqualTo("7:seven");
    revision("5");
    assertThat(runOnce()).isEqualTo("5:five");
  }

  /**
   * Deleting a GuardedRollout with a candidate in flight: the pod is pointed back at stable and
   * -candidate's volume empties; the script serves stable, and so does a restarted pod (an empty
   * served directory) while -stable is kept. With -stable gone as well, a running pod keeps its
   * private copy.
   */
  @Test
  void whenATrackDisappearsItServesStableAndKeepsItsCopy() throws Exception {
    volume("stable", 5, "five");
    volume("candidate", 6, "six");
    revision("6");
    assertThat(runOnce()).isEqualTo("6:six");
    revision("5");
    emptied("candidate");
    assertThat(runOnce()).isEqualTo("5:five");
    deleteRecursively(root.resolve("srv"));
    assertThat(runOnce()).as("a restarted pod").isEqualTo("5:five");
    emptied("stable");
    assertThat(runOnce()).isEqualTo("5:five");
  }

  private void emptied(String name) throws IOException {
    try (var files = Files.list(root.resolve("config").resolve(name))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private String runOnce() throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
    builder.environment().put("CONFIG", root.resolve("config").toString());
    builder.environment().put("SERVE", root.resolve("srv").toString());
    builder.environment().put("ONCE", "1");
    builder.redirectOutput(root.resolve("out.log").toFile());
    Process run = builder.start();
    assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isZero();
    String current = Files.readString(root.resolve("srv/current")).trim();
    return current + ":" + Files.readString(root.resolve("srv/rev-" + current + "/features.json"));
  }

  private void revision(String value) throws IOException {
    Files.writeString(root.resolve("config/revision"), value);
  }

  private void volume(String name, long revision, String features) throws IOException {
    Path dir = root.resolve("config").resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(ConfigConsumer.REVISION_FILE), Long.toString(revision));
    Files.writeString(dir.resolve("features.json"), features);
  }
}
