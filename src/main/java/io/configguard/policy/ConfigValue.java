package io.configguard.policy;

import io.configguard.policy.parse.ParseFailure;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One ConfigMap value: a {@code data} string or a {@code binaryData} base64 string. Sizes are the
 * bytes the value stands for (UTF-8 of text, decoded length of base64), measured without decoding.
 */
final class ConfigValue {
  private final String key;
  private final String value;
  private final boolean binary;
  private long bytes = -1;

  ConfigValue(String key, String value, boolean binary) {
    this.key = key;
    // Like the API server (Go's base64 decoder), line breaks in binaryData are not data.
    this.value =
        binary && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)
            ? value.replace("\r", "").replace("\n", "")
            : value;
    this.binary = binary;
  }

  String key() {
    return key;
  }

  String raw() {
    return value;
  }

  boolean binary() {
    return binary;
  }

  long bytes() {
    if (bytes < 0) {
      bytes = binary ? decodedLength(value) : utf8Length(value);
    }
    return bytes;
  }

  /** An upper bound of {@link #bytes}, exact once measured; a text's length x 3 before. */
  long mostBytes() {
    return bytes >= 0 || binary ? bytes() : 3L * value.length();
  }

  /**
   * Whether the value stands for more than {@code limit} bytes. A text value is measured only when
   * its length cannot tell: UTF-8 takes at least one and at most three bytes per char (four per
   * surrogate pair), and a parse limit is far above most values.
   */
  boolean exceeds(long limit) {
    if (bytes < 0 && !binary) {
      long chars = value.length();
      if (chars > limit) {
        return true;
      }
      if (chars * 3 <= limit) {
        return false;
      }
    }
    return bytes() > limit;
  }

  /** The value as text; binaryData is decoded only below {@code limit} and must be UTF-8. */
  String text(long limit) throws ParseFailure {
    if (!binary) {
      return value;
    }
    if (exceeds(limit)) {
      throw new ParseFailure(
          "value is " + bytes() + " bytes, over the parse limit of " + limit + " bytes");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ParseFailure("binaryData is not valid base64: " + e.getMessage());
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(decoded))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ParseFailure("value is not valid UTF-8");
    }
  }

  static long utf8Length(String s) {
    long n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          n += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 2;
          i++;
        } else {
          n += 2;
        }
      }
    }
    return n;
  }

  static long decodedLength(String base64) {
    int n = base64.length();
    int padding = 0;
    if (n > 0 && base64.charAt(n - 1) == '=') {
      padding++;
      if (n > 1 && base64.charAt(n - 2) == '=') {
        padding++;
      }
    }
    return Math.max(0, (long) n / 4 * 3 + (n % 4 == 0 ? 0 : (n % 4) * 3 / 4) - padding);
  }
}
