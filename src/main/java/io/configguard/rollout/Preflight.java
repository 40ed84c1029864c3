package io.configguard.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Operation;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a candidate against the policies that match its SOURCE ConfigMap, as if the generator's
 * write were an UPDATE from the stable content (a CREATE for the first revision). Growth rules thus
 * compare the candidate with what the pods run now.
 */
final class Preflight {
  private Preflight() {}

  public static Target target(
      ConfigMap source,
      ConfigContent candidate,
      Optional<ConfigContent> stable,
      Map<String, String> namespaceLabels) {
    Operation operation = stable.isPresent() ? Operation.UPDATE : Operation.CREATE;
    JsonNode object = json(source, candidate);
    JsonNode oldObject = stable.map(s -> json(source, s)).orElse(null);
    ObjectNode request = Serialization.jsonMapper().createObjectNode();
    request.put("uid", "configguard-preflight");
    ObjectNode kind = request.putObject("kind");
    kind.put("group", "");
    kind.put("version", "v1");
    kind.put("kind", "ConfigMap");
    request.put("namespace", source.getMetadata().getNamespace());
    request.put("name", source.getMetadata().getName());
    request.put("operation", operation.name());
    request.put("dryRun", true);
    return new Target(
        ObjectKind.CONFIG_MAP,
        source.getMetadata().getNamespace(),
        source.getMetadata().getName(),
        operation,
        object,
        oldObject,
        request,
        namespaceLabels);
  }

  /**
   * The most bytes a ConfigMap's values may hold: the API server's {@code ValidateConfigMap} sums
   * the length of every {@code data} value and every decoded {@code binaryData} value and refuses
   * more than {@code core.MaxSecretSize} (1 MiB) with 422. Keys do not count.
   */
  public static final int MAX_DATA_BYTES = 1024 * 1024;

  /**
   * The most bytes one object may take in etcd (its default {@code --max-request-bytes}, 1.5 MiB);
   * keys and metadata count here, measured as the JSON of the object with binaryData decoded (etcd
   * stores protobuf, which is no larger).
   */
  public static final int MAX_OBJECT_BYTES = 1536 * 1024;

  /**
   * Why the copy of the content that would be staged (the content plus the {@code
   * configguard-revision} key and the operator's metadata) is more than the API server stores, if
   * it is: a source just under the limit can never be staged, and writing it would only be refused
   * over and over.
   */
  public static Optional<String> stagedSizeError(
      RolloutState state, long revision, String hash, ConfigContent content) {
    ConfigMap staged =
        DerivedConfigMaps.build(
            state.rollout(), DerivedConfigMaps.Track.CANDIDATE, revision, hash, content);
    long source = dataBytes(content);
    long data = source + Long.toString(revision).length();
    if (data > MAX_DATA_BYTES) {
      return Optional.of(
          "the staged copy would hold "
              + data
              + " bytes of data ("
              + source
              + " from the source + "
              + (data - source)
              + " for the "
              + DerivedConfigMaps.REVISION_KEY
              + " key), over the API server's limit of "
              + MAX_DATA_BYTES
              + " bytes per ConfigMap; the source must shrink by "
              + (data - MAX_DATA_BYTES)
              + " bytes at least");
    }
    long object = objectBytes(staged);
    if (object > MAX_OBJECT_BYTES) {
      return Optional.of(
          "the staged copy would take "
              + object
              + " bytes with its keys and metadata, over etcd's default request limit of "
              + MAX_OBJECT_BYTES
              + " bytes");
    }
    return Optional.empty();
  }

  /** The bytes the API server counts against {@link #MAX_DATA_BYTES}. */
  static long dataBytes(ConfigContent content) {
    long total = 0;
    for (String value : content.data().values()) {
      total += value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
    }
    for (String value : content.binaryData().values()) {
      total += decodedLength(value);
    }
    return total;
  }

  private static long objectBytes(ConfigMap staged) {
    long base64 = 0;
    long decoded = 0;
    if (staged.getBinaryData() != null) {
      for (String value : staged.getBinaryData().values()) {
        base64 += value == null ? 0 : value.length();
        decoded += decodedLength(value);
      }
    }
    return Serialization.asJson(staged).getBytes(StandardCharsets.UTF_8).length - base64 + decoded;
  }

  private static long decodedLength(String base64) {
    if (base64 == null) {
      return 0;
    }
    try {
      return Base64.getDecoder().decode(base64).length;
    } catch (IllegalArgumentException e) {
      return base64.length() * 3L / 4;
    }
  }

  /** The verdict of every policy in the state's namespace that matches the source. */
  public static Verdict check(RolloutState state, ConfigMap source, ConfigContent candidate) {
    Optional<ConfigContent> stable =
        state.status().stableRevision == null
            ? Optional.empty()
            : state.track(DerivedConfigMaps.Track.STABLE).map(ConfigContent::ofDerived);
    Target target = target(source, candidate, stable, state.namespaceLabels());
    return state.services().policies().policiesFor(state.namespace()).evaluate(target);
  }

  private static JsonNode json(ConfigMap source, ConfigContent content) {
    ConfigMap copy =
        new ConfigMapBuilder(source)
            .editMetadata()
            .withManagedFields()
            .endMetadata()
            .withData(content.data().isEmpty() ? null : content.data())
            .withBinaryData(content.binaryData().isEmpty() ? null : content.binaryData())
            .build();
    return Serialization.jsonMapper().valueToTree(copy);
  }
}
