package io.configguard.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serve command's certificate, chosen from the configguard.tls.* mapping before start. */
class ServeTlsTest {
  static final String CERT = "quarkus.tls.key-store.pem.0.cert";
  static final String KEY = "quarkus.tls.key-store.pem.0.key";

  @Test
  void theFilesComeFromSystemPropertiesThroughTheMapping() throws Exception {
    Path dir = Files.createTempDirectory("serve-tls");
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    SelfSignedCertificate.write(cert, key);
    withProperties(
        Map.of(
            "configguard.tls.cert-file",
            cert.toString(),
            "configguard.tls.key-file",
            key.toString()),
        () -> {
          assertThat(ServeTls.beforeStart(ServeTls.CERT_FILE)).contains(cert.toString());
          ServeTls.configure();
          assertThat(System.getProperty(CERT)).isEqualTo(cert.toString());
          assertThat(System.getProperty(KEY)).isEqualTo(key.toString());
        });
  }

  @Test
  void withoutFilesAStandaloneServeGeneratesOne() {
    assertThat(Path.of(ServeTls.DEFAULT_CERT)).doesNotExist();
    withProperties(
        Map.of("configguard.tls.cert-file", " "),
        () -> {
          ServeTls.configure();
          assertThat(ServeTls.generated()).isPresent();
          assertThat(ServeTls.generated().get()).exists();
          assertThat(Path.of(System.getProperty(CERT)).toAbsolutePath())
              .isEqualTo(ServeTls.generated().get());
        });
  }

  /**
   * Runs with these system properties and none of what {@link ServeTls#configure} sets (a test run
   * before this one in the same JVM, a Quarkus test among them, may have left them), then puts back
   * every property as it was.
   */
  static void withProperties(Map<String, String> properties, Runnable run) {
    Map<String, String> before = new HashMap<>();
    List<String> touched = new ArrayList<>(properties.keySet());
    touched.addAll(List.of(CERT, KEY, ServeTls.KEY_PBE_ITERATIONS));
    touched.forEach(
        k -> {
          if (System.getProperty(k) != null) {
            before.put(k, System.getProperty(k));
          }
          System.clearProperty(k);
        });
    try {
      properties.forEach(System::setProperty);
      run.run();
    } finally {
      touched.forEach(System::clearProperty);
      before.forEach(System::setProperty);
    }
  }
}
