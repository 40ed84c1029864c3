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
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON: one document, no trailing tokens, duplicate object keys rejected with the key's line
 * and column, nesting depth and length bounded by {@link Limits}.
 */
public final class StrictJson {
  private final ObjectMapper mapper;
  private final ObjectMapper quick;
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
    this.quick =
        JsonMapper.builder(
                JsonFactory.builder()
                    .streamReadConstraints(factory.streamReadConstraints())
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();
  }

  public JsonNode parse(String text) throws ParseFailure {
    JsonNode node = quick(text);
    return node != null ? node : full(text);
  }

  /** The text parsed by the char parser with the stream's duplicate detection. */
  JsonNode full(String text) throws ParseFailure {
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

  /**
   * The document read from its bytes when it is ASCII, or null: then {@link #parse} reads it from
   * the text with the stream's duplicate detection, for its messages. Jackson's byte parser is
   * about a fifth faster than its char parser, and a tree's duplicate key is found where the tree
   * puts it for nothing, where the stream's detection keeps a set of names per object: the two cost
   * a bare parse about half as much again. A document accepted here is accepted there, with the
   * same tree (the same constraints; a duplicate or trailing token fails here too); every failure,
   * and every text that is not plain ASCII (a lone surrogate, which the byte form would turn into
   * '?'), goes the full way.
   */
  JsonNode quick(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return null;
      }
    }
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    // Jackson guesses UTF-16 or UTF-32 from zero bytes at the start.
    if ((bytes.length > 0 && bytes[0] == 0)
        || (bytes.length > 1 && bytes[1] == 0)
        || (bytes.length > 2 && bytes[2] == 0)
        || (bytes.length > 3 && bytes[3] == 0)) {
      return null;
    }
    try {
      JsonNode node = quick.readTree(bytes);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException | RuntimeException e) {
      return null;
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
