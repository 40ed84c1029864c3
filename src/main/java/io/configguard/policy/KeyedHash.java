package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;

/**
 * Hash codes for values chosen by a config's author that the author cannot aim: SipHash-2-4 under a
 * key drawn once per process. {@code String.hashCode} is public knowledge (blocks of "Aa"/"BB"
 * collide), and a {@code HashMap} of JSON nodes, which are not {@code Comparable}, turns a bucket
 * of colliding keys into a list: 65,536 colliding ids took seconds to check for repeats.
 */
final class KeyedHash {
  private static final HashFunction SIP;

  static {
    SecureRandom random = new SecureRandom();
    SIP = Hashing.sipHash24(random.nextLong(), random.nextLong());
  }

  private KeyedHash() {}

  /** A map key holding a node: equal as the nodes are, hashed with {@link #of}. */
  record Key(JsonNode node, long hash) {
    static Key of(JsonNode node) {
      return new Key(node, KeyedHash.of(node));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.node.equals(node);
    }

    @Override
    public int hashCode() {
      return (int) (hash ^ (hash >>> 32));
    }
  }

  /** The keyed hash of a string. */
  static long of(String text) {
    return SIP.hashUnencodedChars(text).asLong();
  }

  /**
   * The keyed hash of a JSON value; equal values hash equally. Numbers hash by value (1, 1.0 and
   * 1e0 alike), which is consistent with comparing them either by node or by value. Object members
   * are hashed as pairs and summed, so member order does not matter but swapping values does.
   */
  static long of(JsonNode node) {
    Hasher h = SIP.newHasher();
    switch (node.getNodeType()) {
      case STRING -> h.putByte((byte) 's').putUnencodedChars(node.textValue());
      case NUMBER -> number(node, h.putByte((byte) 'n'));
      case BOOLEAN -> h.putByte((byte) 'b').putBoolean(node.booleanValue());
      case ARRAY -> {
        h.putByte((byte) 'a');
        for (JsonNode item : node) {
          h.putLong(of(item));
        }
      }
      case OBJECT -> {
        long sum = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          sum +=
              SIP.newHasher()
                  .putUnencodedChars(e.getKey())
                  .putLong(of(e.getValue()))
                  .hash()
                  .asLong();
        }
        h.putByte((byte) 'o').putLong(sum);
      }
      case BINARY -> h.putByte((byte) 'x').putUnencodedChars(node.asText());
      default -> h.putByte((byte) '0').putUnencodedChars(node.getNodeType().name());
    }
    return h.hash().asLong();
  }

  private static void number(JsonNode node, Hasher h) {
    if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
      h.putDouble(node.doubleValue());
      return;
    }
    BigDecimal value = node.decimalValue();
    if (value.signum() == 0) {
      h.putInt(0);
      return;
    }
    value = value.stripTrailingZeros();
    h.putInt(value.scale()).putBytes(value.unscaledValue().toByteArray());
  }
}
