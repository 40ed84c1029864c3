package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.files.ManifestFiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed under crds/ are exactly what this build generates from api/. A
 * {@code @QuarkusTest} because the Quarkus build (augmentation, which runs before the first
 * {@code @QuarkusTest}) is what writes target/kubernetes; the HTTPS profile is reused, so this
 * costs no extra boot.
 */
@QuarkusTest
@TestProfile(HttpsProfile.class)
class CrdDriftIT {
  static final Path COMMITTED = Path.of("crds");
  static final Path GENERATED = Path.of("target/kubernetes");

  @Test
  void committedCrdsAreWhatTheBuildGenerates() throws Exception {
    // Only what this run's build wrote counts: target/ may still hold CRDs of classes since gone.
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    Map<String, JsonNode> generated = crds(GENERATED);
    for (String name : List.copyOf(generated.keySet())) {
      if (Files.getLastModifiedTime(GENERATED.resolve(name)).toMillis() < jvmStart - 1000) {
        generated.remove(name);
      }
    }
    Map<String, JsonNode> committed = crds(COMMITTED);
    assertThat(generated).as("CRDs generated into %s by this build", GENERATED).isNotEmpty();
    assertThat(committed.keySet())
        .as("files in crds/ (copy new ones from target/kubernetes, delete stale ones)")
        .containsExactlyElementsOf(generated.keySet());
    for (String name : generated.keySet()) {
      assertThat(committed.get(name))
          .as("crds/%s differs from the generated one: cp target/kubernetes/%s crds/", name, name)
          .isEqualTo(generated.get(name));
    }
  }

  /** The CustomResourceDefinition documents of a folder, by file name. */
  static Map<String, JsonNode> crds(Path dir) throws Exception {
    Map<String, JsonNode> crds = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .toList();
    }
    for (Path file : files) {
      for (ManifestFiles.Document doc : ManifestFiles.read(List.of(file))) {
        if (doc.node().path("kind").asText().equals("CustomResourceDefinition")) {
          crds.put(file.getFileName().toString(), doc.node());
        }
      }
    }
    return crds;
  }
}
