package io.configguard.admission;

import io.configguard.serve.SelfSignedCertificate;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The webhook as deployed: HTTPS only, a PEM certificate from files, re-read every second. The
 * files sit behind a symlink swapped atomically, as kubelet updates a mounted Secret.
 */
public class HttpsProfile implements QuarkusTestProfile {
  static final Path DIR;
  static final Path CERT;
  static final Path KEY;
  private static int version;

  static {
    try {
      DIR = Files.createTempDirectory("configguard-test-tls");
      CERT = DIR.resolve("current/tls.crt");
      KEY = DIR.resolve("current/tls.key");
      rotate();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a new certificate and key and points {@code current} at them in one rename. */
  static synchronized void rotate() throws IOException {
    Path next = Files.createDirectory(DIR.resolve("v" + ++version));
    SelfSignedCertificate.write(next.resolve("tls.crt"), next.resolve("tls.key"));
    Path link = DIR.resolve("next");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, next.getFileName());
    Files.move(
        link,
        DIR.resolve("current"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
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
