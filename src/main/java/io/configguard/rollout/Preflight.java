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
import java.util.Map;
import java.util.Optional;

/**
 * Checks a candidate against the policies that match its SOURCE ConfigMap, as if the generator's
 * write were an UPDATE from the stable content (a CREATE for the first revision). Growth rules thus
 * compare the candidate with what the pods run now.
 */
public final class Preflight {
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
