package io.configguard.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configguard.policy.Timing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestFilesTest {
  @TempDir Path dir;

  @Test
  void readsMultiDocumentYamlJsonAndListsRecursively() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: one, namespace: edge}
        data: {k: v}
        ---
        # an empty document is skipped
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: two}
        """);
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(
        dir.resolve("sub/b.json"),
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "three"}}]}
        """);
    Files.writeString(dir.resolve("sub/notes.txt"), "not a manifest");

    List<ManifestFiles.Document> docs = ManifestFiles.read(List.of(dir));

    assertThat(docs)
        .extracting(d -> d.node().path("metadata").path("name").asText())
        .containsExactly("one", "two", "three");
    assertThat(docs.get(0).source()).endsWith("a.yaml#1");
    assertThat(docs.get(2).source()).endsWith("b.json");
    assertThat(docs.get(0).node().path("data").path("k").asText()).isEqualTo("v");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "dup.yaml | 'kind: ConfigMap\nkind: Secret\n' | invalid YAML",
        "dup.json | '{\"kind\": \"ConfigMap\", \"kind\": \"Secret\"}' | Duplicate field 'kind'",
        "bad.json | '{\"kind\": ' | invalid JSON",
        "bad.yaml | 'a: [b' | invalid YAML",
        "scalar.yaml | 'just text' | is not a Kubernetes object",
        "deep.json | DEEP | invalid JSON",
        "bomb.yaml | BOMB | invalid YAML",
      })
  void rejectsInputItCannotTrust(String name, String content, String reason) throws Exception {
    String text =
        switch (content) {
          case "DEEP" -> "[".repeat(100_000) + "]".repeat(100_000);
          case "BOMB" -> bomb();
          default -> content;
        };
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    assertThatThrownBy(() -> ManifestFiles.read(List.of(file)))
        .isInstanceOf(ManifestFiles.UnreadableException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining(reason);
    Timing.Timed<Throwable> timed =
        Timing.bestOf(
            1,
            3,
            () -> {
              try {
                ManifestFiles.read(List.of(file));
                return null;
              } catch (Exception e) {
                return e;
              }
            });
    Timing.assertWithin("reading " + name, timed, text.length(), 50);
  }

  @Test
  void namesAMissingPath() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> ManifestFiles.read(List.of(missing)))
        .hasMessage(missing + ": no such file or directory");
  }

  /** The billion laughs: nine levels of ten aliases each. */
  static String bomb() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [\"lol\"]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    return yaml.toString();
  }
}
