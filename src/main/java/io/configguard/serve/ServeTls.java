package io.configguard.serve;

import io.configguard.ConfigguardConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.Optional;

/**
 * Chooses the webhook's serving certificate before the HTTP server reads its TLS configuration: the
 * configured PEM files, or — in standalone mode when none exist — a generated self-signed one.
 */
public final class ServeTls {
  static final String CERT_FILE = "configguard.tls.cert-file";
  static final String KEY_FILE = "configguard.tls.key-file";
  static final String DEFAULT_CERT = "/etc/configguard/tls/tls.crt";
  static final String DEFAULT_KEY = "/etc/configguard/tls/tls.key";

  /**
   * The PBKDF2 iteration count of a private key put into a PKCS#12 key store (JDK default 10,000).
   * Vert.x, Quarkus' TLS registry and Netty turn the PEM key into in-memory PKCS#12 stores, under
   * passwords written in their own code, writing and reading the key back at least six times before
   * the first request is served (and again at every reload-period): with 10,000 rounds of
   * HMAC-SHA256 each, that was the largest single cost between start and ready in JFR samples, and
   * C2 compiled the loop three times (bench/README.md, "Start-up"). The process never writes a key
   * store, so the count protects nothing here; reading a store uses the count stored in it.
   */
  static final String KEY_PBE_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

  /** The generated certificate's path, so the serve command can log it. */
  private static volatile Path generated;

  private ServeTls() {}

  /**
   * Sets the Quarkus TLS registry's default key store to the configured PEM files; when none are
   * configured and the default paths are empty (standalone, or a laptop next to a test cluster),
   * generates a self-signed certificate for localhost. Configured files that cannot be read end the
   * process with status 2.
   */
  public static void configure() {
    Optional<String> certFile = beforeStart(CERT_FILE);
    Optional<String> keyFile = beforeStart(KEY_FILE);
    boolean explicit = certFile.isPresent() || keyFile.isPresent();
    Path cert = Path.of(certFile.orElse(DEFAULT_CERT));
    Path key = Path.of(keyFile.orElse(DEFAULT_KEY));
    if (!Files.isReadable(cert) || !Files.isReadable(key)) {
      if (explicit) {
        System.err.printf(
            "configguard serve: cannot read the TLS certificate %s and key %s"
                + " (configguard.tls.cert-file, configguard.tls.key-file)%n",
            cert, key);
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
      generated = cert.toAbsolutePath();
    }
    setIfAbsent("quarkus.tls.key-store.pem.0.cert", cert.toString());
    setIfAbsent("quarkus.tls.key-store.pem.0.key", key.toString());
    // Unless set, as a system or a security property (java.security), by whoever runs this.
    if (Security.getProperty(KEY_PBE_ITERATIONS) == null) {
      setIfAbsent(KEY_PBE_ITERATIONS, "1");
    }
  }

  /** The self-signed certificate {@link #configure} generated, if it did. */
  public static Optional<Path> generated() {
    return Optional.ofNullable(generated);
  }

  /**
   * A {@link ConfigguardConfig.Tls} key before Quarkus starts: from system properties and
   * environment variables, by the rules Quarkus will read it with. Not the whole mapping: building
   * it here cost 0.6 s more at a load average of 22.
   */
  static Optional<String> beforeStart(String key) {
    return new SmallRyeConfigBuilder()
        .addDefaultSources()
        .addDefaultInterceptors()
        .build()
        .getOptionalValue(key, String.class)
        .filter(v -> !v.isBlank());
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

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
