package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.configguard.api.PolicySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds policies and objects for engine tests from YAML, the way users write them. */
public final class Fixtures {
  static final ObjectMapper YAML = new YAMLMapper();
  static final PolicyCompiler COMPILER = new PolicyCompiler(Limits.DEFAULT);

  private Fixtures() {}

  public static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode resource(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + path);
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PolicySpec spec(JsonNode spec) {
    try {
      return YAML.treeToValue(spec, PolicySpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A policy manifest (ConfigPolicy or ClusterConfigPolicy) compiled with default limits. */
  static Policy manifest(JsonNode manifest) throws InvalidPolicyException {
    return manifest(manifest, COMPILER);
  }

  static Policy manifest(JsonNode manifest, PolicyCompiler compiler) throws InvalidPolicyException {
    String name = manifest.path("metadata").path("name").asText();
    PolicyRef ref =
        manifest.path("kind").asText().equals("ConfigPolicy")
            ? PolicyRef.namespaced(manifest.path("metadata").path("namespace").asText(), name)
            : PolicyRef.cluster(name);
    return compiler.compile(ref, spec(manifest.path("spec")));
  }

  /** A cluster policy "p" whose spec is the given YAML. */
  static Policy policy(String specYaml) throws InvalidPolicyException {
    return COMPILER.compile(PolicyRef.cluster("p"), spec(yaml(specYaml)));
  }

  /** A cluster policy "p" with one rule "r" given as YAML (the rule's fields). */
  static Policy rule(String ruleYaml) throws InvalidPolicyException {
    return policy("rules:\n- name: r\n" + indent(ruleYaml, "  "));
  }

  static String indent(String text, String prefix) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      out.append(prefix).append(line).append('\n');
    }
    return out.toString();
  }

  /** A ConfigMap default/cm with the given data. */
  static ObjectNode configMap(Map<String, String> data) {
    ObjectNode cm =
        (ObjectNode)
            yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}");
    ObjectNode d = cm.putObject("data");
    new TreeMap<>(data).forEach(d::put);
    return cm;
  }

  /** A ConfigMap default/cm with data and binaryData (base64 values). */
  static ObjectNode configMap(Map<String, String> data, Map<String, String> binaryData) {
    ObjectNode cm = configMap(data);
    ObjectNode b = cm.putObject("binaryData");
    new TreeMap<>(binaryData).forEach(b::put);
    return cm;
  }

  /**
   * What a policy reports for a target, one violation per element, each as {@code location:
   * message} (or just the message); the policy/rule prefix is left out.
   */
  static List<String> report(Policy policy, Target target) {
    return policy.evaluate(target).stream()
        .map(v -> v.location().isEmpty() ? v.message() : v.location() + ": " + v.message())
        .toList();
  }

  /** Messages of the violations, for compact assertions. */
  static List<String> messages(List<Violation> violations) {
    return violations.stream().map(Violation::message).toList();
  }

  static List<String> lines(List<Violation> violations) {
    return violations.stream().map(Violation::line).toList();
  }
}
