package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.configguard.api.Format;
import io.configguard.policy.parse.JsonCount;
import io.configguard.policy.parse.ParseFailure;
import io.configguard.policy.parse.StrictJson;
import io.configguard.policy.parse.StrictProperties;
import io.configguard.policy.parse.StrictYaml;
import io.configguard.policy.path.JsonPath;

/** The strict parser of every {@link Format}, configured once per {@link Limits}. */
final class Parsers {
  private final Limits limits;
  private final StrictJson json;
  private final StrictYaml yaml;

  Parsers(Limits limits) {
    this.limits = limits;
    this.json = new StrictJson(limits);
    this.yaml = new StrictYaml(limits);
  }

  Limits limits() {
    return limits;
  }

  Parsed parse(Format format, String text) {
    try {
      JsonNode node =
          switch (format) {
            case json -> json.parse(text);
            case yaml -> yaml.parse(text);
            case properties -> StrictProperties.parse(text);
            case text -> text(text);
          };
      return Parsed.of(node);
    } catch (ParseFailure e) {
      return Parsed.failed(e.getMessage());
    }
  }

  /**
   * {@link JsonPath#count} of a value in {@code format} without building it, or {@link
   * StrictYaml#UNCOUNTED} where only the parsed document can tell. JSON is counted from its text
   * ({@link JsonCount}; -1 there means only that the scanner cannot follow it); YAML from its
   * events with every check of the parse (-1: it does not parse).
   */
  long count(Format format, String text, JsonPath path) {
    return switch (format) {
      case json -> {
        long counted = JsonCount.count(text, path, limits.maxDepth());
        yield counted >= 0 ? counted : StrictYaml.UNCOUNTED;
      }
      case yaml -> yaml.count(text, path);
      default -> StrictYaml.UNCOUNTED;
    };
  }

  /** Text only has to be encodable as UTF-8: a JSON string may still carry a lone surrogate. */
  private static JsonNode text(String text) throws ParseFailure {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new ParseFailure("not valid UTF-8: unpaired surrogate at character " + i);
      }
    }
    return TextNode.valueOf(text);
  }
}
