package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;

/** JSON helpers shared by checks: serialized size and short renderings for messages. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Bytes of the node's compact JSON, counted without building the string. */
  static long size(JsonNode node) {
    if (node == null) {
      return 0;
    }
    long[] count = {0};
    OutputStream counter =
        new OutputStream() {
          @Override
          public void write(int b) {
            count[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            count[0] += len;
          }
        };
    try {
      MAPPER.writeValue(counter, node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return count[0];
  }

  /** A value as it appears in JSON, cut to a readable length. */
  static String brief(JsonNode node) {
    String text = node == null ? "null" : node.toString();
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
