package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config a revision carries: a ConfigMap's data and binaryData, without the revision key.
 * Revisions are content-addressed by {@link #hash()}.
 *
 * @param data text keys, sorted
 * @param binaryData binary keys (base64 as the API returns it), sorted
 */
record ConfigContent(Map<String, String> data, Map<String, String> binaryData) {
  public ConfigContent {
    data = data == null ? Map.of() : new TreeMap<>(data);
    binaryData = binaryData == null ? Map.of() : new TreeMap<>(binaryData);
  }

  /** The content of a source ConfigMap, exactly as the generator wrote it. */
  public static ConfigContent of(ConfigMap source) {
    return new ConfigContent(source.getData(), source.getBinaryData());
  }

  /** The content of a -stable/-candidate ConfigMap, without its revision key. */
  public static ConfigContent ofDerived(ConfigMap derived) {
    Map<String, String> data =
        new TreeMap<>(derived.getData() == null ? Map.of() : derived.getData());
    data.remove(DerivedConfigMaps.REVISION_KEY);
    return new ConfigContent(data, derived.getBinaryData());
  }

  public boolean usesReservedKey() {
    return data.containsKey(DerivedConfigMaps.REVISION_KEY)
        || binaryData.containsKey(DerivedConfigMaps.REVISION_KEY);
  }

  /**
   * SHA-256 over every key and value, length-prefixed so that no two different contents share an
   * encoding; the first 16 hex digits.
   */
  public String hash() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      feed(digest, 'd', data);
      feed(digest, 'b', binaryData);
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static void feed(MessageDigest digest, char section, Map<String, String> entries) {
    for (Map.Entry<String, String> e : entries.entrySet()) {
      digest.update((byte) section);
      framed(digest, e.getKey());
      framed(digest, e.getValue() == null ? "" : e.getValue());
    }
  }

  private static void framed(MessageDigest digest, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    digest.update(bytes);
  }
}
