package io.configguard.serve;

import java.io.ByteArrayOutputStream;
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
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * A self-signed serving certificate for localhost, written as PEM, for standalone use only.
 *
 * <p>Encoded by hand in DER with the JDK's own EC keys and signature: with BouncyCastle on the
 * classpath, Netty reads the serving key through the BouncyCastle provider, whose start-up loaded
 * some 800 classes before the webhook could get ready.
 */
public final class SelfSignedCertificate {
  private static final Duration VALIDITY = Duration.ofDays(30);

  /** ecdsa-with-SHA256 (RFC 5758), the only algorithm this certificate uses. */
  private static final byte[] ECDSA_WITH_SHA256 = sequence(oid(1, 2, 840, 10045, 4, 3, 2));

  private static final byte[] NAME =
      sequence(
          set(sequence(oid(2, 5, 4, 3), utf8("localhost"))),
          set(sequence(oid(2, 5, 4, 10), utf8("configguard standalone"))));

  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private SelfSignedCertificate() {}

  /** Generates a fresh key and certificate into {@code cert} and {@code key} (PKCS#8). */
  public static void write(Path cert, Path key) throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      Instant now = Instant.now();
      byte[] tbs =
          sequence(
              tagged(0xa0, integer(BigInteger.TWO)), // v3
              integer(new BigInteger(63, new SecureRandom()).setBit(62)),
              ECDSA_WITH_SHA256,
              NAME,
              sequence(utcTime(now.minus(Duration.ofMinutes(5))), utcTime(now.plus(VALIDITY))),
              NAME,
              pair.getPublic().getEncoded(),
              tagged(0xa3, sequence(subjectAlternativeNames())));
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(pair.getPrivate());
      signer.update(tbs);
      byte[] der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signer.sign()));
      // Key first: a reloader that sees the new certificate must find its key already there.
      replace(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      replace(cert, pem("CERTIFICATE", der));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  /** localhost, 127.0.0.1 and ::1 (RFC 5280 4.2.1.6), not critical. */
  private static byte[] subjectAlternativeNames() throws IOException {
    byte[] names =
        sequence(
            tagged(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
            tagged(0x87, InetAddress.getByName("127.0.0.1").getAddress()),
            tagged(0x87, InetAddress.getByName("::1").getAddress()));
    return sequence(oid(2, 5, 29, 17), tagged(0x04, names));
  }

  private static byte[] sequence(byte[]... items) {
    return tagged(0x30, concat(items));
  }

  private static byte[] set(byte[]... items) {
    return tagged(0x31, concat(items));
  }

  private static byte[] integer(BigInteger value) {
    return tagged(0x02, value.toByteArray());
  }

  private static byte[] utf8(String value) {
    return tagged(0x0c, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] utcTime(Instant instant) {
    return tagged(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bitString(byte[] bits) {
    return tagged(0x03, concat(new byte[] {0}, bits));
  }

  private static byte[] oid(int first, int second, int... rest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    base128(out, 40 * first + second);
    for (int arc : rest) {
      base128(out, arc);
    }
    return tagged(0x06, out.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, int arc) {
    for (int shift = 28; shift > 0; shift -= 7) {
      if (arc >>> shift != 0) {
        out.write(0x80 | (arc >>> shift) & 0x7f);
      }
    }
    out.write(arc & 0x7f);
  }

  /** A DER element: tag, definite length, content. */
  private static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 4);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
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
