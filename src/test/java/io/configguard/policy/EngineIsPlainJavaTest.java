package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine runs in the webhook, the CLI and the operator: no Quarkus, no Kubernetes client. */
class EngineIsPlainJavaTest {
  @Test
  void policyImportsNeitherQuarkusNorTheKubernetesClient() throws IOException {
    List<String> offending;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/configguard/policy"))) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .flatMap(
                  f -> {
                    try {
                      return Files.readAllLines(f).stream()
                          .filter(
                              l ->
                                  l.startsWith("import io.quarkus")
                                      || l.startsWith("import io.fabric8")
                                      || l.startsWith("import jakarta")
                                      || l.startsWith("import io.configguard.admission")
                                      || l.startsWith("import io.configguard.cli")
                                      || l.startsWith("import io.configguard.rollout")
                                      || l.startsWith("import io.configguard.files")
                                      || l.startsWith("import io.configguard.serve")
                                      || l.startsWith("import io.configguard.lifecycle")
                                      || l.startsWith("import io.configguard.webhookconfig")
                                      || l.startsWith("import io.configguard.audit")
                                      || l.startsWith("import io.configguard.discovery"))
                          .map(l -> f.getFileName() + ": " + l);
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .toList();
    }
    assertThat(offending).isEmpty();
  }
}
