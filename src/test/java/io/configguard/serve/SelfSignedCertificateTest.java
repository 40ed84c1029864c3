package io.configguard.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
  @TempDir Path dir;

  @Test
  void writesAV3CertificateForLocalhostSignedByItsOwnKey() throws Exception {
    Path certFile = dir.resolve("tls.crt");
    Path keyFile = dir.resolve("tls.key");
    SelfSignedCertificate.write(certFile, keyFile);

    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
    cert.verify(cert.getPublicKey());
    assertThat(cert.getVersion()).isEqualTo(3);
    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(cert.getSubjectX500Principal().getName())
        .isEqualTo("O=configguard standalone,CN=localhost");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getSerialNumber().signum()).isPositive();
    cert.checkValidity(new Date());
    cert.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(29))));
    assertThat(cert.getNotAfter()).isBefore(Date.from(Instant.now().plus(Duration.ofDays(31))));
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
    assertThat(cert.getCriticalExtensionOIDs()).isNullOrEmpty();

    PrivateKey key =
        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pem(keyFile)));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).as("the key belongs to the certificate").isTrue();
  }

  @Test
  void eachCallMakesANewKeyAndSerial() throws Exception {
    SelfSignedCertificate.write(dir.resolve("a.crt"), dir.resolve("a.key"));
    SelfSignedCertificate.write(dir.resolve("b.crt"), dir.resolve("b.key"));
    assertThat(Files.readString(dir.resolve("a.crt")))
        .isNotEqualTo(Files.readString(dir.resolve("b.crt")));
    assertThat(Files.readString(dir.resolve("a.key")))
        .isNotEqualTo(Files.readString(dir.resolve("b.key")));
  }

  /**
   * The generator needs nothing but the JDK, so the build need not ship BouncyCastle: with it on
   * the classpath Netty reads the serving key through its provider, which loads some 800 classes
   * while the webhook starts. Loaded here where only the JDK and configguard's own classes are.
   */
  @Test
  void needsOnlyTheJdk() throws Exception {
    URL classes = SelfSignedCertificate.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader jdkOnly =
        new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> jdkOnly.loadClass("org.bouncycastle.asn1.ASN1Encodable"))
          .isInstanceOf(ClassNotFoundException.class);
      jdkOnly
          .loadClass(SelfSignedCertificate.class.getName())
          .getMethod("write", Path.class, Path.class)
          .invoke(null, dir.resolve("tls.crt"), dir.resolve("tls.key"));
    }
    assertThat(
            CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("tls.crt"))))
        .isInstanceOf(X509Certificate.class);
  }

  private static byte[] pem(Path file) throws Exception {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\n");
    return Base64.getMimeDecoder().decode(text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", ""));
  }
}
