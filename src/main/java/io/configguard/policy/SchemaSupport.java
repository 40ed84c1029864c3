package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import io.configguard.policy.path.Location;
import java.util.List;

/**
 * Compiles inline JSON Schemas (2020-12) once: checked against the meta-schema, patterns run on
 * RE2J (linear time; lookaround and backreferences are refused at compile time), and nothing is
 * ever fetched: only the bundled meta-schemas resolve, any other $ref target is refused.
 */
final class SchemaSupport {
  private static final String META = "https://json-schema.org/draft/2020-12/schema";

  /** The deepest value a document can have: the parsers' nesting limit. */
  private static final int MAX_DEPTH = Limits.DEFAULT.maxDepth();

  private static final RegularExpressionFactory RE2 = regex -> new MemoizedRegex(regex);

  /**
   * An ECMA-262 {@code pattern} run by RE2J (linear time, no lookaround or backreferences), with a
   * small direct-mapped memo of recent results: a config file repeats the same names version after
   * version, and RE2J costs about a microsecond per short string.
   */
  static final class MemoizedRegex implements RegularExpression {
    private static final int SLOTS = 1024;
    private static final int MAX_MEMO_LENGTH = 256;

    /** Immutable, so publishing it through a plain array race is safe (final fields). */
    private record Memo(String value, boolean matches) {}

    private final Pattern pattern;
    private final Memo[] memo = new Memo[SLOTS];

    MemoizedRegex(String regex) {
      this.pattern = Regexes.pattern(regex);
    }

    @Override
    public boolean matches(String value) {
      if (value.length() > MAX_MEMO_LENGTH) {
        return Regexes.find(pattern, value);
      }
      int slot = value.hashCode() & (SLOTS - 1);
      Memo m = memo[slot];
      if (m != null && m.value().equals(value)) {
        return m.matches();
      }
      boolean matches = pattern.matcher(value).find();
      memo[slot] = new Memo(value, matches);
      return matches;
    }
  }

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder
                  .schemaCacheEnabled(false)
                  .schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .pathType(PathType.JSON_PATH)
                          .regularExpressionFactory(RE2)
                          .build())
                  .schemaLoader(
                      loader ->
                          loader
                              .fetchRemoteResources(false)
                              .block(iri -> !bundled(iri.toString()))));

  private static final Schema META_SCHEMA = REGISTRY.getSchema(SchemaLocation.of(META));

  private SchemaSupport() {}

  private static boolean bundled(String iri) {
    return iri.startsWith("https://json-schema.org/") || iri.startsWith("http://json-schema.org/");
  }

  /** Values that are data, not subschemas: a "pattern" inside them is not a regex. */
  private static final java.util.Set<String> DATA_KEYWORDS =
      java.util.Set.of("enum", "const", "default", "examples");

  /**
   * Compiles every pattern and patternProperties name with RE2J first, so an unsupported one is
   * reported with its place in the schema (and networknt never logs it as an error).
   */
  private static void checkPatterns(
      JsonNode node, Location at, String field, List<String> reasons) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkPatterns(node.get(i), at.child(i), field, reasons);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    var fields = node.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      Location here = at.child(f.getKey());
      if (f.getKey().equals("pattern") && f.getValue().isTextual()) {
        regex(f.getValue().textValue(), here, field, reasons);
      } else if (f.getKey().equals("patternProperties") && f.getValue().isObject()) {
        f.getValue().fieldNames().forEachRemaining(name -> regex(name, here, field, reasons));
        checkPatterns(f.getValue(), here, field, reasons);
      } else if (!DATA_KEYWORDS.contains(f.getKey())) {
        checkPatterns(f.getValue(), here, field, reasons);
      }
    }
  }

  private static void regex(String regex, Location at, String field, List<String> reasons) {
    String problem = Regexes.problem(regex);
    if (problem != null) {
      reasons.add(field + ": " + at + ": " + problem);
    }
  }

  /**
   * Where the error is, under {@code base}, as a {@link Location}: networknt's own rendering of a
   * location throws on an empty property name, which untrusted documents and schemas can have.
   */
  static Location location(Location base, Error error) {
    NodePath path = error.getInstanceLocation();
    Location at = base;
    for (int i = 0; i < path.getNameCount(); i++) {
      at =
          path.getElement(i) instanceof Integer index ? at.child(index) : at.child(path.getName(i));
    }
    return at;
  }

  /** The compiled schema, or null with every problem added to {@code reasons} under field. */
  static Schema compile(JsonNode schema, String field, List<String> reasons) {
    if (!schema.isObject() && !schema.isBoolean()) {
      reasons.add(field + ": a schema is an object or a boolean");
      return null;
    }
    int before = reasons.size();
    checkPatterns(schema, Location.ROOT, field, reasons);
    if (reasons.size() > before) {
      return null;
    }
    String cost = SchemaCost.problem(schema, MAX_DEPTH);
    if (cost != null) {
      reasons.add(field + ": " + cost);
      return null;
    }
    List<Error> errors = META_SCHEMA.validate(schema);
    if (!errors.isEmpty()) {
      for (Error e : errors) {
        reasons.add(field + ": " + location(Location.ROOT, e) + ": " + e.getMessage());
      }
      return null;
    }
    try {
      Schema compiled = REGISTRY.getSchema(schema);
      compiled.initializeValidators();
      return compiled;
    } catch (SchemaException e) {
      reasons.add(field + ": " + e.getMessage());
    } catch (RuntimeException e) {
      reasons.add(field + ": " + e.getMessage());
    }
    return null;
  }
}
