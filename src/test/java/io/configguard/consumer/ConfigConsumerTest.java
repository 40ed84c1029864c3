package io.configguard.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer's rule on directories laid out the way kubelet writes ConfigMap volumes. */
class ConfigConsumerTest {
  @TempDir Path root;
  ConfigConsumer consumer;

  @BeforeEach
  void setUp() {
    consumer = new ConfigConsumer(root);
  }

  @Test
  void withoutAnAnnotationItServesWhateverStableHolds() throws IOException {
    volume("stable", 5, "five");
    volume("candidate", 6, "six");
    write("revision", "");
    assertThat(consumer.refresh()).isTrue();
    assertThat(served()).isEqualTo("5:five");
    volume("stable", 6, "six");
    assertThat(consumer.refresh()).isTrue();
    assertThat(served()).isEqualTo("6:six");
  }

  @Test
  void itServesOnlyThePointedAtRevisionFromEitherDirectory() throws IOException {
    volume("stable", 5, "five");
    volume("candidate", 6, "six");
    write("revision", "6");
    consumer.refresh();
    assertThat(served()).isEqualTo("6:six");
    write("revision", "5\n");
    consumer.refresh();
    assertThat(served()).isEqualTo("5:five");
    // Promotion: both directories hold 6; a pod pointed at 6 needs nothing.
    write("revision", "6");
    volume("stable", 6, "six");
    consumer.refresh();
    assertThat(served()).isEqualTo("6:six");
    assertThat(consumer.refresh()).isFalse();
  }

  @Test
  void itKeepsTheLoadedConfigWhileTheDirectoriesLag() throws IOException {
    volume("stable", 5, "five");
    volume("candidate", 5, "five");
    write("revision", "5");
    consumer.refresh();
    // The annotation moved to 7 before kubelet refreshed the candidate volume.
    write("revision", "7");
    assertThat(consumer.refresh()).isFalse();
    assertThat(served()).isEqualTo("5:five");
    // A stale or older write into candidate does not match either.
    volume("candidate", 6, "six");
    assertThat(consumer.refresh()).isFalse();
    assertThat(served()).isEqualTo("5:five");
    volume("candidate", 7, "seven");
    assertThat(consumer.refresh()).isTrue();
    assertThat(served()).isEqualTo("7:seven");
  }

  @Test
  void beforeAnyMatchNothingIsServed() throws IOException {
    write("revision", "3");
    assertThat(consumer.refresh()).isFalse();
    assertThat(consumer.current()).isEmpty();
    volume("stable", 2, "two");
    assertThat(consumer.refresh()).isFalse();
    assertThat(consumer.current()).isEmpty();
  }

  /**
   * A GuardedRollout deleted with a candidate in flight: the operator points the pod back at
   * stable, deletes -candidate (kubelet empties that optional volume) and keeps -stable. The
   * running pod serves stable; a pod that restarts (nothing loaded) comes up on stable; had -stable
   * gone too, the running pod would keep its copy, but a restarted one would come up with nothing.
   */
  @Test
  void whenATrackDisappearsRunningPodsKeepServingAndRestartedOnesNeedTheKeptStable()
      throws IOException {
    volume("stable", 5, "five");
    volume("candidate", 6, "six");
    write("revision", "6");
    consumer.refresh();
    assertThat(served()).isEqualTo("6:six");

    write("revision", "5");
    emptied("candidate");
    assertThat(consumer.refresh()).isTrue();
    assertThat(served()).isEqualTo("5:five");
    ConfigConsumer restarted = new ConfigConsumer(root);
    assertThat(restarted.refresh()).isTrue();
    assertThat(restarted.current().orElseThrow().revision()).isEqualTo(5);

    emptied("stable");
    assertThat(consumer.refresh()).isFalse();
    assertThat(served()).isEqualTo("5:five");
    ConfigConsumer withNothing = new ConfigConsumer(root);
    assertThat(withNothing.refresh()).isFalse();
    assertThat(withNothing.current()).isEmpty();
  }

  /** What kubelet does to an optional ConfigMap volume whose ConfigMap is deleted: no keys left. */
  private void emptied(String name) throws IOException {
    Path dir = root.resolve(name);
    Path version = dir.resolve("..v" + System.nanoTime());
    Files.createDirectories(version);
    Path tmp = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, version.getFileName());
    Files.move(
        tmp,
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    for (String key : new String[] {ConfigConsumer.REVISION_FILE, "features.json"}) {
      Files.deleteIfExists(dir.resolve(key));
    }
  }

  /** Writes a volume like kubelet's atomic writer: a new timestamped dir, then swap ..data. */
  private void volume(String name, long revision, String features) throws IOException {
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    Path version = dir.resolve("..v" + System.nanoTime());
    Files.createDirectories(version);
    Files.writeString(version.resolve(ConfigConsumer.REVISION_FILE), Long.toString(revision));
    Files.writeString(version.resolve("features.json"), features);
    Path tmp = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, version.getFileName());
    Files.move(
        tmp,
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    for (String key : new String[] {ConfigConsumer.REVISION_FILE, "features.json"}) {
      Path link = dir.resolve(key);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("..data", key));
      }
    }
  }

  private void write(String file, String text) throws IOException {
    Files.writeString(root.resolve(file), text, StandardCharsets.UTF_8);
  }

  private String served() {
    ConfigConsumer.Loaded loaded = consumer.current().orElseThrow();
    return loaded.revision()
        + ":"
        + new String(loaded.files().get("features.json"), StandardCharsets.UTF_8);
  }
}
