package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is the mapping's: every key of ConfigguardConfig has a row
 * with its default, and every row names a key the application has.
 */
class ConfigReferenceTest {
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z][^`]*)` \\| ([^|]*) \\|");

  /** The rows of the README's configuration table: key to default cell. */
  static Map<String, String> documented() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## Configuration reference");
    assertThat(start).as("README has a Configuration reference").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Map<String, String> rows = new TreeMap<>();
    Matcher m =
        ROW.matcher(section.substring(0, section.indexOf("\n\n", section.indexOf("| setting |"))));
    while (m.find()) {
      rows.put(m.group(1), m.group(2).trim());
    }
    return rows;
  }

  @Test
  void everyKeyOfTheMappingHasARowAndEveryRowAKey() throws IOException {
    Map<String, Optional<String>> keys = ConfigKeys.mapping();
    Map<String, String> rows = documented();
    assertThat(keys).as("the mapping's keys").containsKey("configguard.webhook.timeout-seconds");
    assertThat(rows.keySet().stream().filter(k -> k.startsWith("configguard.")))
        .as("configguard.* keys in the README's configuration table")
        .containsExactlyInAnyOrderElementsOf(keys.keySet());
  }

  @Test
  void aDocumentedDefaultIsTheMappingsDefault() throws IOException {
    Map<String, String> rows = documented();
    ConfigKeys.mapping()
        .forEach(
            (key, defaultValue) ->
                defaultValue
                    .filter(d -> !d.contains("${"))
                    .ifPresent(
                        d ->
                            assertThat(rows.get(key))
                                .as("default of %s", key)
                                .isEqualTo("`" + d + "`")));
  }

  @Test
  void documentedQuarkusSettingsAreSetByTheApplication() throws IOException {
    String properties = Files.readString(Path.of("src/main/resources/application.properties"));
    Map<String, String> rows = documented();
    rows.forEach(
        (key, defaultCell) -> {
          if (!key.startsWith("configguard.")) {
            assertThat(properties)
                .as("application.properties sets %s", key)
                .containsPattern(
                    "(?m)^" + Pattern.quote(key + "=" + defaultCell.replace("`", "")) + "$");
          }
        });
  }
}
