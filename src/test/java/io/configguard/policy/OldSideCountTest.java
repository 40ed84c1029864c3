package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static io.configguard.policy.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.policy.parse.JsonCount;
import io.configguard.policy.parse.ParseFailure;
import io.configguard.policy.parse.StrictJson;
import io.configguard.policy.parse.StrictYaml;
import io.configguard.policy.path.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The old side of maxGrowth and maxShrink is counted, not built: {@link StrictYaml#count} must say
 * what a full parse and {@link JsonPath#count} say, for any text, and an update's old value is
 * parsed only when no counter can tell, once however many rules and sides read it.
 */
class OldSideCountTest {
  private static final List<String> PATHS =
      List.of(
          "$",
          "$.routes",
          "$.a",
          "$.a.b",
          "$.routes[0]",
          "$.routes[1].a",
          "$.routes[*]",
          "$.routes[*].a",
          "$[*]",
          "$.a[*].b",
          "$.routes[-1]");

  /** Small bounds, so that random documents run into them. */
  private static final Limits SMALL = new Limits(6, 3, 3L * 1024 * 1024, 100_000, Duration.ZERO);

  @Test
  void theYamlCountIsTheCountOfTheParsedDocumentForAnyText() {
    Random random = new Random(15);
    int counted = 0;
    int failed = 0;
    int needTree = 0;
    for (int i = 0; i < 1_500; i++) {
      StrictYaml yaml = new StrictYaml(i % 2 == 0 ? Limits.DEFAULT : SMALL);
      String text = new Generator(random).document();
      JsonNode parsed = parse(yaml, text);
      for (String p : PATHS) {
        long answer = agree(yaml, text, parsed, JsonPath.parse(p));
        if (answer == StrictYaml.UNCOUNTED) {
          needTree++;
        } else if (answer < 0) {
          failed++;
        } else {
          counted++;
        }
      }
    }
    // The generator reaches every kind of answer, most of them without the tree.
    assertThat(counted).isGreaterThan(4_000);
    assertThat(failed).isGreaterThan(2_000);
    assertThat(needTree).isBetween(300, counted);
  }

  @Test
  void hostileYamlIsJudgedAsTheParseJudgesIt() {
    String laughs =
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "routes: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    List<String> hostile =
        List.of(
            laughs,
            "routes: &r [a, *r]",
            "routes: [*nothing]",
            "routes: [a]\nroutes: [a, b]",
            "routes: [a]\n\"routes\": [a, b]",
            "1: x\n\"1\": y\nroutes: [a]",
            "0x1: x\n1: y\nroutes: [a]",
            "base: &base {routes: [a, b, c]}\n<<: *base",
            "<<: {routes: [a]}\nroutes: [a, b]",
            "&k <<: {a: 1}\nroutes: [a]",
            "routes: " + "[".repeat(100_000) + "]".repeat(100_000),
            "routes: " + "[".repeat(64) + "]".repeat(64),
            "routes: " + "[".repeat(63) + "]".repeat(63),
            "routes: !!set {a: null}",
            "routes: !foo [a]",
            "routes: [!!binary '@@@']",
            "routes: [!!int x, b]",
            "routes: [!!str 1, !!int '2', !!float 3, !!null '', !!bool true]",
            "? [a]\n: b\nroutes: [a]",
            "? {a: 1}\n: b",
            "routes: [a]\n---\nroutes: [a, b]",
            "routes: [a]\n...\n",
            "",
            "# nothing\n",
            "routes:",
            "routes: ~",
            "routes: null",
            "routes: 5",
            "routes: {a: 1, b: 2}",
            "routes: [\"\\u12\"]",
            "routes: [a, b\n",
            "\t routes: [a]",
            "routes: [{a: 1, a: 2}]");
    for (String text : hostile) {
      for (StrictYaml yaml : List.of(new StrictYaml(Limits.DEFAULT), new StrictYaml(SMALL))) {
        JsonNode parsed = parse(yaml, text);
        for (String p : PATHS) {
          agree(yaml, text, parsed, JsonPath.parse(p));
        }
      }
    }
  }

  /**
   * {@link JsonCount} skips what it does not need without judging it, so on text the strict parse
   * refuses it may still count; on every document the parse accepts, its count is the parse's.
   */
  @Test
  void theJsonCountIsTheCountOfEveryDocumentTheParseAccepts() {
    Random random = new Random(16);
    StrictJson json = new StrictJson(Limits.DEFAULT);
    int compared = 0;
    for (int i = 0; i < 2_000; i++) {
      String text = new Generator(random).json();
      JsonNode parsed;
      try {
        parsed = json.parse(text);
      } catch (ParseFailure e) {
        continue;
      }
      for (String p : PATHS) {
        JsonPath path = JsonPath.parse(p);
        long counted = JsonCount.count(text, path, Limits.DEFAULT.maxDepth());
        if (counted != -1) {
          assertThat(counted).as("%s in %s", p, text).isEqualTo(path.count(parsed));
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThan(5_000);
  }

  /** The count, after asserting it is the parse's or that it needs the tree for a good reason. */
  private static long agree(StrictYaml yaml, String text, JsonNode parsed, JsonPath path) {
    long expected = parsed == null ? -1 : path.count(parsed);
    long counted = yaml.count(text, path);
    if (counted == StrictYaml.UNCOUNTED) {
      assertThat(text.contains("*") || text.contains("<<") || path.toString().contains("-"))
          .as("only aliases, merge keys and negative indexes need the tree: %s in %s", path, text)
          .isTrue();
    } else {
      assertThat(counted).as("%s in %s", path, text).isEqualTo(expected);
    }
    return counted;
  }

  private static JsonNode parse(StrictYaml yaml, String text) {
    try {
      return yaml.parse(text);
    } catch (ParseFailure e) {
      return null;
    }
  }

  @Test
  void theOldSideOfMaxShrinkIsCountedNotParsed() throws Exception {
    Policy policy = routesPolicy();
    Documents documents =
        new Documents(
            Target.update(
                configMap(Map.of("routes.yaml", routes(40))),
                configMap(Map.of("routes.yaml", routes(50)))),
            System.nanoTime() + 1_000_000_000L);
    assertThat(policy.evaluate(documents)).isEmpty();
    assertThat(documents.parses()).as("the new side only").isEqualTo(1);

    Target shrunk =
        Target.update(
            configMap(Map.of("routes.yaml", routes(20))),
            configMap(Map.of("routes.yaml", routes(50))));
    assertThat(report(policy, shrunk))
        .containsExactly("routes.yaml: $.routes shrank from 50 to 20 items (ratio 0.40 < 0.5)");
  }

  @Test
  void anOldValueEqualToTheNewOneIsTheSameDocument() throws Exception {
    // Aliases: the counter cannot count it, so without sharing the old side would be parsed again.
    String aliased = "base: &b {backend: svc}\nroutes:\n- {host: a, backend: *b}\n- {host: b}\n";
    Policy policy = routesPolicy();
    Documents documents =
        new Documents(
            Target.update(
                configMap(Map.of("routes.yaml", aliased, "other", "1")),
                configMap(Map.of("routes.yaml", aliased, "other", "2"))),
            System.nanoTime() + 1_000_000_000L);
    assertThat(policy.evaluate(documents)).isEmpty();
    assertThat(documents.parses()).isEqualTo(1);
    assertThat(documents.entries(true).get("routes.yaml"))
        .isSameAs(documents.entries(false).get("routes.yaml"));
    assertThat(documents.entries(true).get("other"))
        .isNotSameAs(documents.entries(false).get("other"));
  }

  @Test
  void withoutAChangeRuleTheOldSideIsNeverRead() throws Exception {
    Policy policy =
        Fixtures.rule("key: routes.yaml\nformat: yaml\nunique: {path: '$.routes[*].host'}");
    Documents documents =
        new Documents(
            Target.update(
                configMap(Map.of("routes.yaml", routes(40))),
                configMap(Map.of("routes.yaml", routes(50)))),
            System.nanoTime() + 1_000_000_000L);
    assertThat(policy.evaluate(documents)).isEmpty();
    assertThat(documents.parses()).isEqualTo(1);
    assertThat(documents.hasOldEntries()).isFalse();
  }

  private static Policy routesPolicy() throws InvalidPolicyException {
    return Fixtures.rule(
        "key: routes.yaml\nformat: yaml\nunique: {path: '$.routes[*].host'}\n"
            + "maxShrink: {path: $.routes, ratio: 0.5}");
  }

  private static String routes(int n) {
    StringBuilder out = new StringBuilder("routes:\n");
    for (int i = 0; i < n; i++) {
      out.append("- host: h").append(i).append(".example.com\n  backend: svc:80\n");
    }
    return out.toString();
  }

  /** Random documents: nested mappings and lists, typed and tagged scalars, then damage. */
  private static final class Generator {
    private static final List<String> KEYS =
        List.of("a", "b", "routes", "1", "\"1\"", "true", "null", "~", "0x1", "1.0", "'a'");
    private static final List<String> SCALARS =
        List.of(
            "1",
            "-2",
            "0x1F",
            "0o7",
            "1.5",
            ".inf",
            ".nan",
            "true",
            "null",
            "~",
            "\"\"",
            "str",
            "'q'",
            "!!str 5",
            "!!int 7",
            "!!int x",
            "!!binary aGVsbG8=",
            "!!binary '@@@'",
            "!foo x",
            "!!float 1",
            "1e400",
            "99999999999999999999",
            "\"\\u00e9\"",
            "!!null ''");
    private final Random random;
    private final List<String> anchors = new ArrayList<>();

    Generator(Random random) {
      this.random = random;
    }

    String document() {
      StringBuilder out = new StringBuilder();
      if (random.nextInt(4) == 0) {
        flow(out, 0);
      } else {
        block(out, 0, random.nextInt(3) != 0);
      }
      return damage(out.toString());
    }

    String json() {
      StringBuilder out = new StringBuilder();
      jsonValue(out, 0);
      return random.nextInt(5) == 0 ? damage(out.toString()) : out.toString();
    }

    private void jsonValue(StringBuilder out, int depth) {
      int kind = depth > 5 ? 2 : random.nextInt(3);
      if (kind == 0) {
        out.append('{');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ",").append('"').append(pick(List.of("a", "b", "routes")));
          out.append("\": ");
          jsonValue(out, depth + 1);
        }
        out.append('}');
      } else if (kind == 1) {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ", ");
          jsonValue(out, depth + 1);
        }
        out.append(']');
      } else {
        out.append(pick(List.of("1", "-2.5", "true", "null", "\"s\"", "\"a\\\"b\"", "\"]\"")));
      }
    }

    /** A block collection at {@code indent}, each entry on its own line. */
    private void block(StringBuilder out, int indent, boolean mapping) {
      int n = random.nextInt(4) + (indent == 0 ? 1 : 0);
      if (n == 0) {
        out.append(mapping ? "{}" : "[]").append('\n');
        return;
      }
      for (int i = 0; i < n; i++) {
        out.append(" ".repeat(indent));
        if (mapping) {
          int roll = random.nextInt(20);
          out.append(roll == 0 ? "<<" : roll == 1 ? "? [a]\n" + " ".repeat(indent) : "");
          out.append(roll > 1 ? pick(KEYS) : "").append(':');
        } else {
          out.append('-');
        }
        int roll = random.nextInt(10);
        if (indent < 16 && roll < 3) {
          out.append(anchor()).append('\n');
          block(out, indent + 2, roll != 0);
        } else if (indent < 16 && roll == 3) {
          out.append(' ');
          flow(out, 0);
          out.append('\n');
        } else {
          out.append(' ').append(scalarOrAlias()).append('\n');
        }
      }
    }

    private void flow(StringBuilder out, int depth) {
      int kind = depth > 8 ? 2 : random.nextInt(3);
      if (kind == 0) {
        out.append(anchor().trim()).append(anchors.isEmpty() ? "" : " ").append('{');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ", ").append(pick(KEYS)).append(": ");
          flow(out, depth + 1);
        }
        out.append('}');
      } else if (kind == 1) {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ", ");
          flow(out, depth + 1);
        }
        out.append(']');
      } else {
        out.append(scalarOrAlias());
      }
    }

    private String anchor() {
      if (random.nextInt(8) != 0) {
        return "";
      }
      String name = "n" + anchors.size();
      anchors.add(name);
      return " &" + name;
    }

    private String scalarOrAlias() {
      if (!anchors.isEmpty() && random.nextInt(10) == 0) {
        return "*" + pick(anchors);
      }
      return pick(SCALARS);
    }

    /** Most documents stay whole; some lose, gain or swap a character, or end early. */
    private String damage(String text) {
      if (text.isEmpty() || random.nextInt(3) != 0) {
        return text;
      }
      int at = random.nextInt(text.length());
      return switch (random.nextInt(5)) {
        case 0 -> text.substring(0, at) + text.substring(at + 1);
        case 1 ->
            text.substring(0, at)
                + pick(List.of(":", "-", "[", "{", "\"", " ", "\t", "#"))
                + text.substring(at);
        case 2 -> text.substring(0, at);
        case 3 -> text + "\n---\n" + text;
        default -> text + "\n" + text.substring(0, at);
      };
    }

    private <T> T pick(List<T> from) {
      return from.get(random.nextInt(from.size()));
    }
  }
}
