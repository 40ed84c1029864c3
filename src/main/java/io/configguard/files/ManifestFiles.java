package io.configguard.files;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads Kubernetes manifests from files and directories (recursively): multi-document YAML and
 * JSON, strictly (a duplicated key is an error), with {@code kind: List} expanded into its items.
 */
public final class ManifestFiles {
  /** Mapper for the documents read here: duplicate JSON keys are errors, not last-one-wins. */
  public static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private static final int MAX_ALIASES = 50;
  private static final int MAX_LIST_NESTING = 16;
  private static final int MAX_FILE_CODE_POINTS = 32 * 1024 * 1024;

  /**
   * One document of a file: {@code file#index} when the file has several.
   *
   * @param line the 1-based line where the object starts in its file, for CI annotations
   */
  public record Document(Path file, int index, int line, JsonNode node) {
    public String source() {
      return index == 0 ? file.toString() : file + "#" + index;
    }
  }

  /** A file that is missing, unreadable or not valid YAML/JSON; the message names the file. */
  public static final class UnreadableException extends IOException {
    public UnreadableException(String message) {
      super(message);
    }
  }

  private ManifestFiles() {}

  /** Every document under the given files and directories, in path order; empty docs skipped. */
  public static List<Document> read(List<Path> paths) throws UnreadableException {
    List<Document> documents = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : files(path)) {
        documents.addAll(readFile(file));
      }
    }
    return documents;
  }

  static List<Path> files(Path path) throws UnreadableException {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new UnreadableException(path + ": no such file or directory");
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile).filter(ManifestFiles::isManifest).sorted().toList();
    } catch (IOException e) {
      throw new UnreadableException(path + ": " + e.getMessage());
    }
  }

  private static boolean isManifest(Path file) {
    String name = file.getFileName().toString();
    // A policy test suite lives beside the policies it tests and is not a manifest.
    if (name.equals("configguard-test.yaml")) {
      return false;
    }
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  static List<Document> readFile(Path file) throws UnreadableException {
    List<JsonNode> nodes = new ArrayList<>();
    List<int[]> lines = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      if (file.getFileName().toString().endsWith(".json")) {
        // kubectl reads a .json file as a stream of concatenated objects: so does check.
        try (JsonParser parser = JSON.createParser(in)) {
          while (parser.nextToken() != null) {
            int line = parser.currentTokenLocation().getLineNr();
            nodes.add(JSON.readTree(parser));
            lines.add(new int[] {Math.max(1, line)});
          }
        }
      } else {
        LoadSettings settings = yamlSettings(file);
        // Composing first keeps each node's position, so CI annotations can point at the object.
        for (Node doc : new Compose(settings).composeAllFromInputStream(in)) {
          nodes.add(
              JSON.valueToTree(
                  new StandardConstructor(settings).constructSingleDocument(Optional.of(doc))));
          lines.add(startLines(doc));
        }
      }
    } catch (JsonProcessingException e) {
      throw new UnreadableException(file + ": invalid JSON: " + e.getOriginalMessage());
    } catch (YamlEngineException e) {
      throw new UnreadableException(file + ": invalid YAML: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UnreadableException(file + ": " + e.getMessage());
    } catch (StackOverflowError e) {
      throw new UnreadableException(file + ": nested too deeply");
    } catch (IOException e) {
      throw new UnreadableException(file + ": " + e.getMessage());
    }
    List<Document> documents = new ArrayList<>();
    for (int d = 0; d < nodes.size(); d++) {
      JsonNode node = nodes.get(d);
      int[] line = lines.get(d);
      if (node == null || node.isNull() || node.isMissingNode()) {
        continue;
      }
      if (!node.isObject()) {
        throw new UnreadableException(
            file + ": document " + (documents.size() + 1) + " is not a Kubernetes object");
      }
      if (isList(node)) {
        for (int i = 0; i < node.path("items").size(); i++) {
          int itemLine = i + 1 < line.length ? line[i + 1] : line[0];
          expand(file, itemLine, node.path("items").get(i), 1, documents);
        }
      } else {
        documents.add(new Document(file, 0, line[0], node));
      }
    }
    if (documents.size() > 1) {
      for (int i = 0; i < documents.size(); i++) {
        Document doc = documents.get(i);
        documents.set(i, new Document(file, i + 1, doc.line(), doc.node()));
      }
    }
    return documents;
  }

  private static boolean isList(JsonNode node) {
    return node.path("kind").asText().endsWith("List") && node.path("items").isArray();
  }

  /** An item of a List; a List among the items is expanded too, as kubectl does. */
  private static void expand(Path file, int line, JsonNode item, int depth, List<Document> out)
      throws UnreadableException {
    if (!isList(item)) {
      out.add(new Document(file, 0, line, item));
      return;
    }
    if (depth >= MAX_LIST_NESTING) {
      throw new UnreadableException(
          file + ": kind: List nested deeper than " + MAX_LIST_NESTING + " levels");
    }
    for (JsonNode inner : item.path("items")) {
      expand(file, line, inner, depth + 1, out);
    }
  }

  /** The document's start line, followed by the start line of each entry of its {@code items}. */
  private static int[] startLines(Node doc) {
    List<Integer> lines = new ArrayList<>(List.of(line(doc)));
    if (doc instanceof MappingNode mapping) {
      for (NodeTuple entry : mapping.getValue()) {
        if (entry.getKeyNode() instanceof ScalarNode key
            && key.getValue().equals("items")
            && entry.getValueNode() instanceof SequenceNode items) {
          items.getValue().forEach(item -> lines.add(line(item)));
        }
      }
    }
    return lines.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
  }

  private static LoadSettings yamlSettings(Path file) {
    return LoadSettings.builder()
        .setLabel(file.toString())
        .setAllowDuplicateKeys(false)
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setAllowRecursiveKeys(false)
        .setCodePointLimit(MAX_FILE_CODE_POINTS)
        .build();
  }
}
