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
  private final boolean yaml11;

  public StrictYaml(Limits limits) {
    this(limits, false);
  }

  /**
   * With {@code yaml11}, mapping keys are also compared as a YAML 1.1 reader (PyYAML, Go's yaml.v2,
   * Ruby's Psych) reads them: plain {@code yes}, {@code on}, {@code y} and {@code true} are all the
   * key true, so two of them in one mapping are a duplicate for such a consumer.
   */
  public StrictYaml(Limits limits, boolean yaml11) {
    this.limits = limits;
    this.yaml11 = yaml11;
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

    /** The value about to come is a merge key's ({@code <<}). */
    boolean merging;

    /** Keys that came from a merge and may still be overridden by an explicit key. */
    java.util.Set<String> merged;

    /** With yaml11: the key as a YAML 1.1 reader sees it, for the next key; and all seen. */
    String key11;

    Map<String, String> keys11;

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
      Open parent = open.peek();
      boolean atKey =
          parent != null && parent.node.isObject() && parent.key == null && !parent.merging;
      if (atKey && resolved && type.equals(Tag.MERGE) && event.getAnchor().isEmpty()) {
        // A merge key: the entries of its value join this mapping (YAML's merge key type).
        parent.merging = true;
        return;
      }
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
      if (yaml11 && atKey && resolved && event.isPlain()) {
        parent.key11 = bool11(event.getValue());
      }
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
      } else if (parent.merging) {
        parent.merging = false;
        merge(parent, node, mark);
      } else if (parent.key == null) {
        if (node.isContainerNode()) {
          throw failure(mark, "a mapping key must be a scalar");
        }
        String key = node.asText();
        if (parent.node.has(key)) {
          // An explicit key overrides one a merge brought in; it is not a duplicate.
          if (parent.merged == null || !parent.merged.remove(key)) {
            throw new ParseFailure("duplicate key \"" + key + "\"" + at(mark) + " in YAML");
          }
        }
        if (yaml11) {
          String as11 = parent.key11 != null ? parent.key11 : key;
          parent.key11 = null;
          if (parent.keys11 == null) {
            parent.keys11 = new HashMap<>();
          }
          String before = parent.keys11.putIfAbsent(as11, key);
          if (before != null) {
            throw new ParseFailure(
                "duplicate key \""
                    + key
                    + "\""
                    + at(mark)
                    + " in YAML 1.1: a YAML 1.1 reader reads it as "
                    + as11
                    + ", like \""
                    + before
                    + "\"");
          }
        }
        parent.key = key;
      } else {
        ((ObjectNode) parent.node).set(parent.key, node);
        parent.key = null;
      }
    }

    /**
     * The entries of a merge key's value, a mapping or a sequence of mappings, join the mapping
     * where they are not set already: explicit keys and earlier merged mappings win.
     */
    private void merge(Open parent, JsonNode value, Optional<Mark> mark) throws ParseFailure {
      if (value.isObject()) {
        mergeOne(parent, value);
      } else if (value.isArray()) {
        for (JsonNode each : value) {
          if (!each.isObject()) {
            throw failure(mark, "a merge key (<<) takes a mapping or a sequence of mappings");
          }
          mergeOne(parent, each);
        }
      } else {
        throw failure(mark, "a merge key (<<) takes a mapping or a sequence of mappings");
      }
    }

    private void mergeOne(Open parent, JsonNode from) throws ParseFailure {
      ObjectNode into = (ObjectNode) parent.node;
      for (var it = from.fields(); it.hasNext(); ) {
        var field = it.next();
        if (into.has(field.getKey())) {
          continue;
        }
        count(1);
        into.set(field.getKey(), field.getValue());
        if (parent.merged == null) {
          parent.merged = new java.util.HashSet<>();
        }
        parent.merged.add(field.getKey());
        if (yaml11) {
          if (parent.keys11 == null) {
            parent.keys11 = new HashMap<>();
          }
          parent.keys11.putIfAbsent(field.getKey(), field.getKey());
        }
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

  /** A YAML 1.1 boolean as a YAML 1.1 reader resolves a plain scalar, or null. */
  static String bool11(String plain) {
    return switch (plain) {
      case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" -> "true";
      case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" -> "false";
      default -> null;
    };
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
