package io.configguard.policy.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.policy.Limits;
import io.configguard.policy.path.JsonPath;
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
      return new Tree(maxNodes(text)).build(new Parse(settings).parseString(text));
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

  /** What {@link #count} answers for a document it cannot count without building it. */
  public static final long UNCOUNTED = -2;

  /**
   * {@link JsonPath#count} of the document {@link #parse} would build, from one pass over the
   * events without building it: -1 where {@link #parse} fails, {@link #UNCOUNTED} for a document
   * with aliases or merge keys or a path with a negative index (build it to count those). Every
   * check of {@link #parse} is made (one document, depth, tags, scalars, duplicate keys, the node
   * budget), so the answer is the same; only the tree is not built: the old side of maxShrink and
   * maxGrowth, where only the number matters.
   */
  public long count(String text, JsonPath path) {
    for (JsonPath.Segment segment : path.segments()) {
      if (segment instanceof JsonPath.Index i && i.index() < 0) {
        return UNCOUNTED;
      }
    }
    try {
      return new Count(maxNodes(text), path).count(new Parse(settings).parseString(text));
    } catch (ParseFailure | RuntimeException e) {
      return -1;
    }
  }

  private static long maxNodes(String text) {
    return 4L * text.length() + 10_000;
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
      boolean mapping = checkStart(event, open.size());
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
      boolean resolved = resolved(event);
      Tag type = type(event, resolved);
      Open parent = open.peek();
      boolean atKey =
          parent != null && parent.node.isObject() && parent.key == null && !parent.merging;
      if (atKey && isMerge(event, resolved, type)) {
        // A merge key: the entries of its value join this mapping (YAML's merge key type).
        parent.merging = true;
        return;
      }
      JsonNode value = value(event, resolved, type);
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

  /** Checks a collection about to open at {@code depth}; true for a mapping, false for a list. */
  private boolean checkStart(CollectionStartEvent event, int depth) throws ParseFailure {
    if (depth + 1 > limits.maxDepth()) {
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
    return mapping;
  }

  /** Whether the scalar's type comes from the schema's resolver (no explicit tag). */
  private static boolean resolved(ScalarEvent event) {
    Optional<String> tag = event.getTag();
    return tag.isEmpty() || tag.get().equals("!");
  }

  private Tag type(ScalarEvent event, boolean resolved) throws ParseFailure {
    return resolved
        ? resolver.resolve(event.getValue(), event.getImplicit().canOmitTagInPlainScalar())
        : tag(event.getTag().get(), event.getStartMark());
  }

  /** A merge key ({@code <<}), when at a mapping's key. */
  private static boolean isMerge(ScalarEvent event, boolean resolved, Tag type) {
    return resolved && type.equals(Tag.MERGE) && event.getAnchor().isEmpty();
  }

  private JsonNode value(ScalarEvent event, boolean resolved, Tag type) throws ParseFailure {
    return scalars.construct(
        new ScalarNode(
            type,
            resolved,
            event.getValue(),
            event.getScalarStyle(),
            event.getStartMark(),
            event.getEndMark()));
  }

  /** A collection open in a {@link Count}: what is known of it without building it. */
  private static final class Frame {
    final boolean mapping;

    /** Path segments matched to reach it; -1 off the path. */
    final int level;

    long children;
    String key;
    java.util.Set<String> keys;

    Frame(boolean mapping, int level) {
      this.mapping = mapping;
      this.level = level;
    }

    boolean atKey() {
      return mapping && key == null;
    }
  }

  /** Thrown where the count needs the tree (aliases, merge keys): {@link #UNCOUNTED}. */
  private static final class NeedsTree extends Exception {
    NeedsTree() {
      super(null, null, false, false);
    }
  }

  /**
   * One document counted from its events: the checks of {@link Tree} (without aliases and merge
   * keys), and for each node only how deep on the path it sits.
   */
  private final class Count {
    private final long maxNodes;
    private final java.util.List<JsonPath.Segment> segments;
    private final boolean singular;
    private final Deque<Frame> open = new ArrayDeque<>();
    private long nodes;
    private int documents;
    private long total;

    Count(long maxNodes, JsonPath path) {
      this.maxNodes = maxNodes;
      this.segments = path.segments();
      this.singular = path.isSingular();
    }

    long count(Iterable<Event> events) throws ParseFailure {
      try {
        for (Event event : events) {
          switch (event.getEventId()) {
            case DocumentStart -> {
              if (++documents > 1) {
                return -1;
              }
            }
            case MappingStart, SequenceStart -> start((CollectionStartEvent) event);
            case MappingEnd, SequenceEnd -> end();
            case Scalar -> scalar((ScalarEvent) event);
            case Alias -> throw new NeedsTree();
            default -> {}
          }
        }
      } catch (NeedsTree e) {
        return UNCOUNTED;
      }
      return total;
    }

    private void start(CollectionStartEvent event) throws ParseFailure {
      int level = level();
      boolean mapping = checkStart(event, open.size());
      budget();
      open.push(new Frame(mapping, level));
    }

    private void end() throws ParseFailure {
      Frame done = open.pop();
      if (done.level == segments.size()) {
        total += singular ? done.children : 1;
      }
      added(true);
    }

    private void scalar(ScalarEvent event) throws ParseFailure, NeedsTree {
      budget();
      boolean resolved = resolved(event);
      Tag type = type(event, resolved);
      Frame parent = open.peek();
      if (parent != null && parent.atKey()) {
        if (isMerge(event, resolved, type)) {
          throw new NeedsTree();
        }
        String key = value(event, resolved, type).asText();
        if (parent.keys == null) {
          parent.keys = new java.util.HashSet<>();
        }
        if (!parent.keys.add(key)) {
          throw new ParseFailure("duplicate key");
        }
        parent.key = key;
        return;
      }
      int level = level();
      JsonNode value = value(event, resolved, type);
      if (level == segments.size()) {
        total += singular && value.isNull() ? 0 : 1;
      }
      added(false);
    }

    /** How many segments of the path the node about to start has matched; -1 off the path. */
    private int level() {
      Frame parent = open.peek();
      if (parent == null) {
        return 0;
      }
      if (parent.level < 0 || parent.level >= segments.size()) {
        return -1;
      }
      JsonPath.Segment segment = segments.get(parent.level);
      boolean on =
          segment instanceof JsonPath.Wildcard
              || (segment instanceof JsonPath.Name n
                  && parent.mapping
                  && n.name().equals(parent.key))
              || (segment instanceof JsonPath.Index i
                  && !parent.mapping
                  && parent.children == i.index());
      return on ? parent.level + 1 : -1;
    }

    /** A value (or item) finished: a collection where a key belongs is a failure of the parse. */
    private void added(boolean collection) throws ParseFailure {
      Frame parent = open.peek();
      if (parent == null) {
        return;
      }
      if (parent.atKey()) {
        if (collection) {
          throw new ParseFailure("a mapping key must be a scalar");
        }
        return;
      }
      parent.children++;
      parent.key = null;
    }

    private void budget() throws ParseFailure {
      if (++nodes > maxNodes) {
        throw new ParseFailure("too many nodes");
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
