package io.configguard.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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

  /** Runs with these system properties, then restores every one this test or ServeTls set. */
  static void withProperties(Map<String, String> properties, Runnable run) {
    try {
      properties.forEach(System::setProperty);
      run.run();
    } finally {
      properties.keySet().forEach(System::clearProperty);
      System.clearProperty(CERT);
      System.clearProperty(KEY);
    }
  }
}
