package io.configguard.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicySpec;
import io.configguard.policy.PolicyRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ConfigPolicy and ClusterConfigPolicy objects read from YAML/JSON files, for the standalone
 * webhook and the CLI. A file is as untrusted as a cluster object: an unknown field is an error.
 */
public final class PolicyFiles {
  static final String API_VERSION = ConfigPolicy.GROUP + "/" + ConfigPolicy.VERSION;

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // What the CRD's schema refuses is refused here too, never read as something else:
          // enforcement: 2 is not Audit, max: 1.9 is not 1, "5" is not a number.
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /**
   * One policy found in a file.
   *
   * @param errors why its spec cannot be read (then {@code spec} is null); empty otherwise
   */
  public record Definition(PolicyRef ref, String source, PolicySpec spec, List<String> errors) {}

  private PolicyFiles() {}

  /** Every policy document under {@code paths}; documents of other kinds are ignored. */
  public static List<Definition> read(List<Path> paths, String defaultNamespace)
      throws ManifestFiles.UnreadableException {
    return definitions(ManifestFiles.read(paths), defaultNamespace);
  }

  /** Every policy document among {@code documents}; documents of other kinds are ignored. */
  public static List<Definition> definitions(
      List<ManifestFiles.Document> documents, String defaultNamespace) {
    List<Definition> definitions = new ArrayList<>();
    Map<PolicyRef, String> seen = new HashMap<>();
    for (ManifestFiles.Document doc : documents) {
      JsonNode node = doc.node();
      String kind = node.path("kind").asText();
      if (!isPolicyKind(kind)) {
        continue;
      }
      String name = node.path("metadata").path("name").asText();
      String namespace = node.path("metadata").path("namespace").asText(defaultNamespace);
      PolicyRef ref =
          kind.equals("ClusterConfigPolicy")
              ? PolicyRef.cluster(name)
              : PolicyRef.namespaced(namespace.isEmpty() ? defaultNamespace : namespace, name);
      List<String> errors = new ArrayList<>();
      if (!API_VERSION.equals(node.path("apiVersion").asText())) {
        errors.add("apiVersion: must be " + API_VERSION);
      }
      if (name.isEmpty()) {
        errors.add("metadata.name: required");
      }
      String first = seen.putIfAbsent(ref, doc.source());
      if (first != null) {
        errors.add("metadata.name: " + kind + " " + ref.id() + " is already defined in " + first);
      }
      PolicySpec spec = errors.isEmpty() ? spec(node.path("spec"), errors) : null;
      definitions.add(new Definition(ref, doc.source(), spec, List.copyOf(errors)));
    }
    return definitions;
  }

  /**
   * The specs of the ConfigFreezes among {@code documents}, by name; one that cannot be read is
   * left out with its reasons in {@code errors}.
   */
  public static Map<String, ConfigFreezeSpec> freezes(
      List<ManifestFiles.Document> documents, List<String> errors) {
    Map<String, ConfigFreezeSpec> freezes = new java.util.LinkedHashMap<>();
    for (ManifestFiles.Document doc : documents) {
      JsonNode node = doc.node();
      if (!node.path("kind").asText().equals("ConfigFreeze")
          || !API_VERSION.equals(node.path("apiVersion").asText())) {
        continue;
      }
      String name = node.path("metadata").path("name").asText();
      try {
        freezes.put(name, STRICT.treeToValue(node.path("spec"), ConfigFreezeSpec.class));
      } catch (JsonProcessingException e) {
        errors.add(doc.source() + ": ConfigFreeze " + name + ": " + e.getOriginalMessage());
      }
    }
    return freezes;
  }

  public static boolean isPolicyKind(String kind) {
    return kind.equals("ConfigPolicy") || kind.equals("ClusterConfigPolicy");
  }

  /** Reads a spec; on failure adds a reason naming the field, as the compiler's reasons do. */
  public static PolicySpec spec(JsonNode node, List<String> errors) {
    if (!node.isObject()) {
      errors.add("spec: required");
      return null;
    }
    try {
      return STRICT.treeToValue(node, PolicySpec.class);
    } catch (UnrecognizedPropertyException e) {
      errors.add(path(e) + ": unknown field");
    } catch (JsonMappingException e) {
      errors.add(path(e) + ": " + e.getOriginalMessage().replaceAll("\\s*\\(class [^)]*\\)", ""));
    } catch (JsonProcessingException e) {
      errors.add("spec: " + e.getOriginalMessage());
    }
    return null;
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder("spec");
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
