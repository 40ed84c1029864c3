package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Strict YAML (one document, YAML 1.2 core schema), built into a JSON tree in one pass over
 * snakeyaml-engine's event stream: duplicate keys rejected with their location, nesting depth
 * bounded as it opens, aliases of collections capped (no billion laughs) and a node budget so
 * aliases cannot expand the tree far past the text's own size. Scalars are typed by the schema's
 * own resolver and constructors, as snakeyaml's loader would. Skipping the loader's node graph and
 * Java maps makes this about twice as fast as loading and converting.
 */
public final class StrictYaml {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Limits limits;
  private final LoadSettings settings;
  private final ScalarResolver resolver;
  private final Scalars scalars;

  public StrictYaml(Limits limits) {
    this.limits = limits;
    this.settings =
        LoadSettings.builder()
            .setSchema(new CoreSchema())
            .setCodePointLimit((int) Math.min(Integer.MAX_VALUE, limits.maxDocumentBytes()))
            .build();
    // CoreSchema builds a new resolver on every call; it is read-only once built.
    this.resolver = settings.getSchema().getScalarResolver();
    this.scalars = new Scalars(settings);
  }

  public JsonNode parse(String text) throws ParseFailure {
    try {
      return new Tree(4L * text.length() + 10_000).build(new Parse(settings).parseString(text));
    } catch (MarkedYamlEngineException e) {
      String problem = e.getProblem();
      String context = e.getContext();
      if (context != null && !context.isEmpty()) {
        problem = context + (problem.startsWith("but ") ? ", " : ": ") + problem;
      }
      throw new ParseFailure("invalid YAML" + at(e.getProblemMark()) + ": " + problem);
    } catch (YamlEngineException e) {
      throw new ParseFailure("invalid YAML: " + e.getMessage());
    } catch (RuntimeException e) {
      // snakeyaml-engine 3.2 lets some malformed input escape as another exception, e.g. a
      // NumberFormatException for an escape "\\u" cut short at the end of a quoted scalar.
      throw new ParseFailure("invalid YAML: " + e);
    }
  }

  /** A collection being built, with the key waiting for its value when it is a mapping. */
  private static final class Open {
    final ContainerNode<?> node;
    final Optional<Anchor> anchor;
    final Optional<Mark> start;
    String key;
    long size = 1;
    int height;

    Open(ContainerNode<?> node, Optional<Anchor> anchor, Optional<Mark> start) {
      this.node = node;
      this.anchor = anchor;
      this.start = start;
    }
  }

  /** A finished node under an anchor: what an alias repeats, and what repeating it costs. */
  private record Anchored(JsonNode node, long size, int height) {}

  /** One document's tree, built from its events with an explicit stack (no recursion). */
  private final class Tree {
    private final long maxNodes;
    private final Deque<Open> open = new ArrayDeque<>();
    private final Map<Anchor, Anchored> anchors = new HashMap<>();
    private long nodes;
    private int collectionAliases;
    private int documents;
    private JsonNode root;

    Tree(long maxNodes) {
      this.maxNodes = maxNodes;
    }

    JsonNode build(Iterable<Event> events) throws ParseFailure {
      for (Event event : events) {
        switch (event.getEventId()) {
          case DocumentStart -> {
            if (++documents > 1) {
              throw failure(
                  event.getStartMark(),
                  "expected a single document in the stream, but found another document");
            }
          }
          case MappingStart, SequenceStart -> start((CollectionStartEvent) event);
          case MappingEnd, SequenceEnd -> end();
          case Scalar -> scalar((ScalarEvent) event);
          case Alias -> alias((AliasEvent) event);
          default -> {}
        }
      }
      return root == null ? NODES.nullNode() : root;
    }

    private void start(CollectionStartEvent event) throws ParseFailure {
      if (open.size() + 1 > limits.maxDepth()) {
        throw new ParseFailure(
            "invalid YAML: nesting deeper than the limit of "
                + limits.maxDepth()
                + at(event.getStartMark()));
      }
      boolean mapping = event.getEventId() == Event.ID.MappingStart;
      Optional<String> tag = event.getTag();
      Tag plain = mapping ? Tag.MAP : Tag.SEQ;
      if (tag.isPresent() && !tag.get().equals("!") && !tag.get().equals(plain.getValue())) {
        throw failure(event.getStartMark(), noConstructor(tag.get()));
      }
      count(1);
      open.push(
          new Open(
              mapping ? NODES.objectNode() : NODES.arrayNode(),
              event.getAnchor(),
              event.getStartMark()));
    }

    private void end() throws ParseFailure {
      Open done = open.pop();
      done.anchor.ifPresent(a -> anchors.put(a, new Anchored(done.node, done.size, done.height)));
      add(done.node, done.size, done.height, done.start);
    }

    private void scalar(ScalarEvent event) throws ParseFailure {
      count(1);
      Optional<String> tag = event.getTag();
      boolean resolved = tag.isEmpty() || tag.get().equals("!");
      Tag type =
          resolved
              ? resolver.resolve(event.getValue(), event.getImplicit().canOmitTagInPlainScalar())
              : tag(tag.get(), event.getStartMark());
      JsonNode value =
          scalars.construct(
              new ScalarNode(
                  type,
                  resolved,
                  event.getValue(),
                  event.getScalarStyle(),
                  event.getStartMark(),
                  event.getEndMark()));
      event.getAnchor().ifPresent(a -> anchors.put(a, new Anchored(value, 1, 0)));
      add(value, 1, 0, event.getStartMark());
    }

    private void alias(AliasEvent event) throws ParseFailure {
      Anchor name = event.getAlias();
      Anchored target = anchors.get(name);
      if (target == null) {
        boolean recursive = open.stream().anyMatch(o -> o.anchor.equals(Optional.of(name)));
        throw failure(
            event.getStartMark(),
            (recursive ? "found recursive alias " : "found undefined alias ") + name);
      }
      if (target.node.isContainerNode() && ++collectionAliases > limits.maxYamlAliases()) {
        throw new ParseFailure(
            "invalid YAML: more than " + limits.maxYamlAliases() + " aliases of collections");
      }
      if (open.size() + target.height > limits.maxDepth()) {
        throw new ParseFailure(
            "invalid YAML: nesting deeper than the limit of "
                + limits.maxDepth()
                + " (through aliases)");
      }
      count(target.size);
      add(target.node, target.size, target.height, event.getStartMark());
    }

    /** Puts a finished node where it belongs: the root, an item, a mapping's key or its value. */
    private void add(JsonNode node, long size, int height, Optional<Mark> mark)
        throws ParseFailure {
      Open parent = open.peek();
      if (parent == null) {
        root = node;
        return;
      }
      parent.size += size;
      parent.height = Math.max(parent.height, height + 1);
      if (parent.node instanceof ArrayNode array) {
        array.add(node);
      } else if (parent.key == null) {
        if (node.isContainerNode()) {
          throw failure(mark, "a mapping key must be a scalar");
        }
        String key = node.asText();
        if (parent.node.has(key)) {
          throw new ParseFailure("duplicate key \"" + key + "\"" + at(mark) + " in YAML");
        }
        parent.key = key;
      } else {
        ((ObjectNode) parent.node).set(parent.key, node);
        parent.key = null;
      }
    }

    private void count(long more) throws ParseFailure {
      nodes += more;
      if (nodes > maxNodes) {
        throw new ParseFailure(
            "invalid YAML: aliases expand the document to more than " + maxNodes + " nodes");
      }
    }
  }

  private static Tag tag(String name, Optional<Mark> mark) throws ParseFailure {
    try {
      return new Tag(name);
    } catch (IllegalArgumentException e) {
      throw failure(mark, "invalid tag \"" + name + "\": " + e.getMessage());
    }
  }

  /** The core schema's scalar constructors (null, bool, int, float, str, binary) to JSON. */
  private static final class Scalars extends StandardConstructor {
    Scalars(LoadSettings settings) {
      super(settings);
    }

    JsonNode construct(ScalarNode node) throws ParseFailure {
      ConstructNode constructor =
          findConstructorFor(node)
              .orElseThrow(
                  () -> failure(node.getStartMark(), noConstructor(node.getTag().getValue())));
      Object value;
      try {
        value = constructor.construct(node);
      } catch (YamlEngineException | IllegalArgumentException e) {
        throw failure(node.getStartMark(), "cannot read " + node.getTag() + " " + e.getMessage());
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
      } else if (value instanceof Optional<?> o && o.isEmpty()) {
        return NODES.nullNode();
      }
      return NODES.textNode(String.valueOf(value));
    }
  }

  private static String noConstructor(String tag) {
    return "could not determine a constructor for the tag " + tag;
  }

  private static ParseFailure failure(Optional<Mark> mark, String problem) {
    return new ParseFailure("invalid YAML" + at(mark) + ": " + problem);
  }

  private static String at(Optional<Mark> mark) {
    return mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
        .orElse("");
  }
}
