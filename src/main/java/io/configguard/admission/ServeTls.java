package io.configguard.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Chooses the webhook's serving certificate before the HTTP server reads its TLS configuration: the
 * configured PEM files, or — in standalone mode when none exist — a generated self-signed one.
 */
public final class ServeTls {
  public static final String CERT_FILE = "configguard.tls.cert-file";
  public static final String KEY_FILE = "configguard.tls.key-file";

  /** Set to the generated certificate's path, so the serve command can log it. */
  public static final String GENERATED = "configguard.tls.generated-cert";

  static final String DEFAULT_CERT = "/etc/configguard/tls/tls.crt";
  static final String DEFAULT_KEY = "/etc/configguard/tls/tls.key";

  private ServeTls() {}

  /**
   * Sets the Quarkus TLS registry's default key store to the configured PEM files; when none are
   * configured and the default paths are empty (standalone, or a laptop next to a test cluster),
   * generates a self-signed certificate for localhost. Configured files that cannot be read end the
   * process with status 2.
   */
  public static void configure() {
    boolean explicit = setting(CERT_FILE) != null || setting(KEY_FILE) != null;
    Path cert = Path.of(orDefault(setting(CERT_FILE), DEFAULT_CERT));
    Path key = Path.of(orDefault(setting(KEY_FILE), DEFAULT_KEY));
    if (!Files.isReadable(cert) || !Files.isReadable(key)) {
      if (explicit) {
        System.err.printf(
            "configguard serve: cannot read the TLS certificate %s and key %s (%s, %s)%n",
            cert, key, CERT_FILE, KEY_FILE);
        System.exit(2);
      }
      Path dir = generatedDir();
      cert = dir.resolve("tls.crt");
      key = dir.resolve("tls.key");
      try {
        SelfSignedCertificate.write(cert, key);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.setProperty(GENERATED, cert.toAbsolutePath().toString());
    }
    setIfAbsent("quarkus.tls.key-store.pem.0.cert", cert.toString());
    setIfAbsent("quarkus.tls.key-store.pem.0.key", key.toString());
  }

  /**
   * Where a generated certificate goes: {@code target/configguard-tls} in a checkout (where
   * deploy/local/install.sh looks for it), else a fresh temporary directory.
   */
  private static Path generatedDir() {
    try {
      Path target = Path.of("target");
      if (Files.isDirectory(target) && Files.isWritable(target)) {
        return Files.createDirectories(target.resolve("configguard-tls"));
      }
      return Files.createTempDirectory("configguard-tls-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A setting from a system property or its environment variable form, as MicroProfile Config. */
  static String setting(String key) {
    String value = System.getProperty(key);
    if (value == null) {
      value = System.getenv(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
    }
    return value == null || value.isBlank() ? null : value;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
