package io.configguard.policy.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.configguard.policy.Limits;
import java.io.IOException;

/**
 * Strict JSON: one document, no trailing tokens, duplicate object keys rejected with the key's line
 * and column, nesting depth and length bounded by {@link Limits}.
 */
public final class StrictJson {
  private final ObjectMapper mapper;
  private final Limits limits;

  public StrictJson(Limits limits) {
    this.limits = limits;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxDepth())
                    .maxDocumentLength(limits.maxDocumentBytes())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Keys come from untrusted config: never intern them (slow, and they would stay).
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    this.mapper =
        JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  }

  public JsonNode parse(String text) throws ParseFailure {
    try (JsonParser parser = mapper.createParser(text)) {
      try {
        JsonNode node = mapper.readTree(parser);
        if (node == null || node.isMissingNode()) {
          throw new ParseFailure("invalid JSON: empty document");
        }
        return node;
      } catch (StreamConstraintsException e) {
        throw new ParseFailure(
            "invalid JSON: nesting deeper than the limit of "
                + limits.maxDepth()
                + at(parser.currentLocation()));
      } catch (JsonProcessingException e) {
        throw failure(text, e, parser);
      }
    } catch (IOException e) {
      throw new ParseFailure("invalid JSON: " + e.getMessage());
    }
  }

  private static ParseFailure failure(String text, JsonProcessingException e, JsonParser parser) {
    JsonLocation location = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
    String message = e.getOriginalMessage();
    String prefix = "Duplicate field '";
    if (message.startsWith(prefix)) {
      // The key runs to the last quote: it may itself hold "[Source:" or " (" (ParserFuzzTest).
      int end = message.lastIndexOf('\'');
      String key =
          end >= prefix.length() ? message.substring(prefix.length(), end) : "(unreadable)";
      return new ParseFailure(
          "duplicate key \"" + key + "\"" + at(keyStart(text, location)) + " in JSON");
    }
    int source = message.lastIndexOf("[Source:");
    if (source >= 0) {
      // Jackson appends a redacted source reference; the line and column are reported already.
      int open = message.lastIndexOf(" (", source);
      message = message.substring(0, open >= 0 ? open : source).trim();
    }
    return new ParseFailure("invalid JSON" + at(location) + ": " + message);
  }

  /**
   * Jackson reports a duplicate just after the key's closing quote; step back to its opening quote
   * so the column points at the key, as an editor would.
   */
  private static JsonLocation keyStart(String text, JsonLocation after) {
    int close = (int) after.getCharOffset() - 1;
    if (close <= 0 || close >= text.length() || text.charAt(close) != '"') {
      return after;
    }
    for (int open = close - 1; open >= 0; open--) {
      if (text.charAt(open) == '\n') {
        return after;
      }
      if (text.charAt(open) == '"' && !escaped(text, open)) {
        int column = after.getColumnNr() - (close + 1 - open);
        return new JsonLocation(null, open, after.getLineNr(), column);
      }
    }
    return after;
  }

  private static boolean escaped(String text, int quote) {
    int backslashes = 0;
    for (int i = quote - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
