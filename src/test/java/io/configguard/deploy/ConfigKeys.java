package io.configguard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys configguard reads, found in its sources: every {@code @ConfigProperty(name
 * = "...")}, and every "configguard.*" key literal of a class that reads system properties or
 * environment variables itself (ServeTls, before Quarkus starts).
 */
final class ConfigKeys {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern CONFIG_PROPERTY =
      Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"", Pattern.DOTALL);
  private static final Pattern KEY_LITERAL = Pattern.compile("\"(configguard(?:\\.[a-z0-9-]+)+)\"");

  private ConfigKeys() {}

  static Set<String> readByApplication() {
    Set<String> keys = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher m = CONFIG_PROPERTY.matcher(source);
        while (m.find()) {
          keys.add(m.group(1));
        }
        if (source.contains("System.getProperty(") || source.contains("System.getenv(")) {
          Matcher k = KEY_LITERAL.matcher(source);
          while (k.find()) {
            keys.add(k.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /** MicroProfile Config's environment variable form of a key: upper case, non-alnum to _. */
  static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** The key an environment variable sets, among {@code keys}. */
  static Optional<String> keyOf(String envVar, Set<String> keys) {
    return keys.stream().filter(k -> envName(k).equals(envVar)).findFirst();
  }
}
