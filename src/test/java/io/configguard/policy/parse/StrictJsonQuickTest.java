package io.configguard.policy.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.policy.Limits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The quick read of {@link StrictJson} (bytes, duplicates found in the tree) accepts only what the
 * full read (chars, the stream's duplicate detection) accepts, with the same tree; whatever it
 * declines is read the full way, so messages are the full read's.
 */
class StrictJsonQuickTest {
  private static final StrictJson JSON = new StrictJson(Limits.DEFAULT);
  private static final StrictJson SHALLOW =
      new StrictJson(new Limits(4, 3, 64, 100_000, java.time.Duration.ZERO));

  @Test
  void theQuickReadIsTheFullReadForRandomDocuments() {
    Random random = new Random(1505);
    int quick = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = new Generator(random).document();
      if (agree(JSON, text)) {
        quick++;
      }
      agree(SHALLOW, text);
    }
    assertThat(quick).isGreaterThan(5_000);
  }

  @Test
  void edgeCasesAgree() {
    List<String> texts =
        List.of(
            "",
            " ",
            "null",
            "1",
            "\"x\"",
            "{}",
            "{} {}",
            "{} x",
            "[1] // c",
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": {\"b\": 1, \"b\": 1}}",
            "[{\"a\": 1}, {\"a\": 1}]",
            "{\"a\": 1, \"A\": 2}",
            "\u0000[\u0000]",
            "\u0000\u0000\u0000[",
            "[\"\ud800\"]",
            "[\"?\"]",
            "[\"\u00e9\"]",
            "[\"\ud83d\ude00\"]",
            "[1e400, -0, -0.0, 0.1, 12345678901234567890, 1.0e-400]",
            "[NaN]",
            "['a']",
            "{a: 1}",
            "[1,]",
            "\ufeff[1]",
            "[\"\\u0000\", \"\\ud800\"]",
            "[[[[[[1]]]]]]",
            "[[[1]]]",
            "\"" + "x".repeat(100) + "\"");
    for (String text : texts) {
      agree(JSON, text);
      agree(SHALLOW, text);
    }
  }

  @Test
  void theCorpusAgrees() throws Exception {
    Path corpus = Path.of("src/test/resources/fuzz/io/configguard/policy/ParserFuzzTestInputs");
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(corpus)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      agree(JSON, new String(bytes, StandardCharsets.UTF_8));
      if (bytes.length > 0) {
        agree(JSON, new String(Arrays.copyOfRange(bytes, 1, bytes.length), StandardCharsets.UTF_8));
      }
    }
  }

  /** True when the quick read read the text (and agreed with the full read). */
  private static boolean agree(StrictJson json, String text) {
    JsonNode quick = json.quick(text);
    JsonNode full;
    try {
      full = json.full(text);
    } catch (ParseFailure e) {
      assertThat(quick).as("the full read refuses %s: %s", text, e.getMessage()).isNull();
      return false;
    }
    if (quick == null) {
      return false;
    }
    assertThat(quick).as("tree of %s", text).isEqualTo(full);
    assertThat(quick.toString()).isEqualTo(full.toString());
    return true;
  }

  /** Random JSON: objects with few distinct keys (so duplicates happen), numbers, strings. */
  private static final class Generator {
    private static final List<String> KEYS = List.of("a", "b", "c", "A", "\\u0061", "a b", "");
    private static final List<String> SCALARS =
        List.of(
            "1",
            "-2",
            "0",
            "-0",
            "1.5",
            "1e3",
            "1E-3",
            "-0.0",
            "123456789012345678901234",
            "1.7976931348623157e309",
            "true",
            "false",
            "null",
            "\"x\"",
            "\"\\n\\t\\\"\"",
            "\"\\u00e9\"",
            "\"\u00e9\"",
            "\"\\ud800\"",
            "\"a/b\"",
            "01",
            "+1",
            ".5",
            "NaN",
            "'s'");
    private final Random random;
    private final StringBuilder out = new StringBuilder();

    Generator(Random random) {
      this.random = random;
    }

    String document() {
      value(0);
      String text = out.toString();
      if (random.nextInt(4) == 0) {
        int at = random.nextInt(text.length() + 1);
        String damage = "{}[],:\" x0\u0000";
        String with = String.valueOf(damage.charAt(random.nextInt(damage.length())));
        text =
            random.nextBoolean()
                ? text.substring(0, at) + with + text.substring(at)
                : text.substring(0, Math.max(0, at - 1)) + text.substring(at);
      }
      return text;
    }

    private void value(int depth) {
      int r = random.nextInt(10);
      if (r < 3 && depth < 6) {
        out.append('{');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.append(random.nextInt(5) == 0 ? ", " : ",");
          }
          out.append('"').append(KEYS.get(random.nextInt(KEYS.size()))).append("\":");
          value(depth + 1);
        }
        out.append('}');
      } else if (r < 5 && depth < 6) {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.append(',');
          }
          value(depth + 1);
        }
        out.append(']');
      } else {
        out.append(SCALARS.get(random.nextInt(SCALARS.size())));
      }
      if (random.nextInt(8) == 0) {
        out.append(random.nextBoolean() ? " " : "\n");
      }
    }
  }
}
