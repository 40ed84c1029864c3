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

  /** Sets the Quarkus TLS registry's default key store; exits with 2 when there is no cert. */
  public static void configure(String... args) {
    boolean explicit = setting(CERT_FILE) != null || setting(KEY_FILE) != null;
    Path cert = Path.of(orDefault(setting(CERT_FILE), DEFAULT_CERT));
    Path key = Path.of(orDefault(setting(KEY_FILE), DEFAULT_KEY));
    if (!Files.isReadable(cert) || !Files.isReadable(key)) {
      if (explicit || !ServeCommand.isStandalone(args)) {
        System.err.printf(
            "configguard serve: cannot read the TLS certificate %s and key %s; set %s and %s"
                + " (env CONFIGGUARD_TLS_CERT_FILE, CONFIGGUARD_TLS_KEY_FILE)%s%n",
            cert,
            key,
            CERT_FILE,
            KEY_FILE,
            explicit ? "" : ", or run with --standalone to generate a self-signed one");
        System.exit(2);
      }
      try {
        Path dir = Files.createTempDirectory("configguard-tls-");
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        SelfSignedCertificate.write(cert, key);
        System.setProperty(GENERATED, cert.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    setIfAbsent("quarkus.tls.key-store.pem.0.cert", cert.toString());
    setIfAbsent("quarkus.tls.key-store.pem.0.key", key.toString());
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
