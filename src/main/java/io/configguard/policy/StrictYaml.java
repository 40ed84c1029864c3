package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.DuplicateKeyException;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Strict YAML (one document, YAML 1.2 core schema): duplicate keys rejected with their location,
 * aliases on collections capped (no billion laughs), nesting depth and size bounded, then converted
 * to a JSON tree with a node budget so aliases cannot expand it past its own size.
 */
public final class StrictYaml {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Limits limits;
  private final LoadSettings settings;

  public StrictYaml(Limits limits) {
    this.limits = limits;
    this.settings =
        LoadSettings.builder()
            .setSchema(new CoreSchema())
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(limits.maxYamlAliases())
            .setCodePointLimit((int) Math.min(Integer.MAX_VALUE, limits.maxDocumentBytes()))
            .build();
  }

  public JsonNode parse(String text) throws ParseFailure {
    try {
      checkDepth(text);
      Object value = new Load(settings).loadFromString(text);
      // Aliases may repeat a subtree; a budget of a few nodes per input character bounds that.
      long nodes = 4L * text.length() + 10_000;
      return convert(value, 0, new long[] {nodes}, nodes);
    } catch (DuplicateKeyException e) {
      String problem = e.getProblem();
      String key = problem.startsWith("found duplicate key ") ? problem.substring(20) : problem;
      throw new ParseFailure("duplicate key \"" + key + "\"" + at(e.getProblemMark()) + " in YAML");
    } catch (MarkedYamlEngineException e) {
      String problem = e.getProblem();
      String context = e.getContext();
      if (context != null && !context.isEmpty()) {
        problem = context + (problem.startsWith("but ") ? ", " : ": ") + problem;
      }
      throw new ParseFailure("invalid YAML" + at(e.getProblemMark()) + ": " + problem);
    } catch (YamlEngineException e) {
      String message = e.getMessage();
      if (message != null && message.contains("aliases for non-scalar nodes exceeds")) {
        throw new ParseFailure(
            "invalid YAML: more than " + limits.maxYamlAliases() + " aliases of collections");
      }
      throw new ParseFailure("invalid YAML: " + message);
    }
  }

  /** snakeyaml's composer recurses per level: refuse deep documents from the event stream first. */
  private void checkDepth(String text) throws ParseFailure {
    int depth = 0;
    for (Event event : new Parse(settings).parseString(text)) {
      switch (event.getEventId()) {
        case SequenceStart, MappingStart -> {
          if (++depth > limits.maxDepth()) {
            throw new ParseFailure(
                "invalid YAML: nesting deeper than the limit of "
                    + limits.maxDepth()
                    + at(event.getStartMark()));
          }
        }
        case SequenceEnd, MappingEnd -> depth--;
        default -> {}
      }
    }
  }

  private JsonNode convert(Object value, int depth, long[] budget, long nodes) throws ParseFailure {
    if (--budget[0] < 0) {
      throw new ParseFailure(
          "invalid YAML: aliases expand the document to more than " + nodes + " nodes");
    }
    if (depth > limits.maxDepth()) {
      throw new ParseFailure(
          "invalid YAML: nesting deeper than the limit of "
              + limits.maxDepth()
              + " (through aliases)");
    }
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof String s) {
      return NODES.textNode(s);
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Integer i) {
      return NODES.numberNode(i);
    } else if (value instanceof Long l) {
      return NODES.numberNode(l);
    } else if (value instanceof BigInteger b) {
      return NODES.numberNode(b);
    } else if (value instanceof Double d) {
      return NODES.numberNode(d);
    } else if (value instanceof BigDecimal d) {
      return NODES.numberNode(d);
    } else if (value instanceof byte[] bytes) {
      return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (object.has(key)) {
          throw new ParseFailure("duplicate key \"" + key + "\" in YAML (after conversion)");
        }
        object.set(key, convert(e.getValue(), depth + 1, budget, nodes));
      }
      return object;
    } else if (value instanceof Collection<?> list) {
      ArrayNode array = NODES.arrayNode(list.size());
      for (Object item : list) {
        array.add(convert(item, depth + 1, budget, nodes));
      }
      return array;
    } else if (value instanceof Optional<?> o) {
      return convert(o.orElse(null), depth, budget, nodes);
    }
    return NODES.textNode(String.valueOf(value));
  }

  private static String at(Optional<Mark> mark) {
    return mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
        .orElse("");
  }
}
