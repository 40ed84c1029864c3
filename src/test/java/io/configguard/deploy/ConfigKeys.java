package io.configguard.deploy;

import io.configguard.ConfigguardConfig;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration keys configguard reads, as SmallRye Config maps them: every key of {@link
 * ConfigguardConfig}, and every key its defaults refer to ({@code ${POD_NAMESPACE:configguard}}).
 */
final class ConfigKeys {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^:}]+)");

  private ConfigKeys() {}

  /** Every key of the mapping, with its default (empty: none). */
  static Map<String, Optional<String>> mapping() {
    Map<String, Optional<String>> keys = new TreeMap<>();
    ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(ConfigguardConfig.class))
        .forEach(
            (key, property) -> {
              ConfigMappingInterface.Property leaf =
                  property.isOptional() ? property.asOptional().getNestedProperty() : property;
              if (!leaf.isGroup() && !key.endsWith("[*]")) {
                keys.put(
                    key,
                    property.hasDefaultValue()
                        ? Optional.of(property.getDefaultValue())
                        : Optional.empty());
              }
            });
    return keys;
  }

  static Set<String> readByApplication() {
    Set<String> keys = new TreeSet<>();
    mapping()
        .forEach(
            (key, defaultValue) -> {
              keys.add(key);
              defaultValue.ifPresent(
                  d -> {
                    Matcher m = REFERENCE.matcher(d);
                    while (m.find()) {
                      keys.add(m.group(1));
                    }
                  });
            });
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
