package io.configguard.admission;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The webhook as deployed: HTTPS only, a PEM certificate from files, re-read every second. */
public class HttpsProfile implements QuarkusTestProfile {
  static final Path CERT;
  static final Path KEY;

  static {
    try {
      Path dir = Files.createTempDirectory("configguard-test-tls");
      CERT = dir.resolve("tls.crt");
      KEY = dir.resolve("tls.key");
      SelfSignedCertificate.write(CERT, KEY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "quarkus.tls.key-store.pem.0.cert",
        CERT.toString(),
        "quarkus.tls.key-store.pem.0.key",
        KEY.toString(),
        "quarkus.tls.reload-period",
        "1s",
        "quarkus.http.insecure-requests",
        "disabled");
  }
}
