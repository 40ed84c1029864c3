package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.PolicySpec;
import java.util.List;

/** Policies the fuzz tests build from fuzzed text, and what every one of them must do. */
public final class FuzzPolicies {
  private FuzzPolicies() {}

  /** A spec with one rule whose check is the CEL expression. */
  public static JsonNode celSpec(String expression) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.putArray("rules").addObject().put("name", "cel").put("cel", expression);
    return spec;
  }

  /** A spec with one rule checking config.json (as JSON) against the schema. */
  public static JsonNode schemaSpec(JsonNode schema) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    ObjectNode rule = spec.putArray("rules").addObject().put("name", "schema");
    rule.put("key", "config.json").put("format", "json").set("jsonSchema", schema);
    return spec;
  }

  /**
   * Compiles the spec: rejected with reasons, or admitted, when it evaluates within its bounds and
   * answers (never throws, never runs away).
   */
  public static void compileAndEvaluate(PolicyCompiler compiler, PolicySpec spec, Target target) {
    Policy policy;
    try {
      policy = compiler.compile(PolicyRef.cluster("fuzz"), spec);
    } catch (InvalidPolicyException e) {
      assertThat(e.reasons()).isNotEmpty();
      return;
    }
    assertThat(PolicySet.of(List.of(policy)).evaluate(target)).isNotNull();
  }
}
