package io.configguard.admission;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed serving certificate for localhost, written as PEM, for standalone use only. */
public final class SelfSignedCertificate {
  private static final Duration VALIDITY = Duration.ofDays(30);

  private SelfSignedCertificate() {}

  /** Generates a fresh key and certificate into {@code cert} and {@code key} (PKCS#8). */
  public static void write(Path cert, Path key) throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=localhost,O=configguard standalone");
      var builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(VALIDITY)),
              subject,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(
                    GeneralName.iPAddress, InetAddress.getByName("::1").getHostAddress())
              }));
      byte[] der =
          builder
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
              .getEncoded();
      // Key first: a reloader that sees the new certificate must find its key already there.
      replace(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      replace(cert, pem("CERTIFICATE", der));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void replace(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tls", ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
