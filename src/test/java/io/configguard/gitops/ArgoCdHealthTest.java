package io.configguard.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs the Argo CD health scripts (as Argo CD does: a global `obj`, a returned table). */
class ArgoCdHealthTest {
  static final Path DIR = Path.of("deploy/gitops/argocd");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Health(String status, String message) {}

  static Health run(String script, String objectYaml) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(YAML.readTree(objectYaml)));
    LuaValue result = globals.load(Files.readString(DIR.resolve(script)), script).call();
    return new Health(result.get("status").tojstring(), result.get("message").tojstring());
  }

  static LuaValue lua(JsonNode node) {
    if (node == null || node.isNull()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.fields().forEachRemaining(e -> table.set(e.getKey(), lua(e.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, lua(node.get(i)));
      }
      return table;
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    return LuaValue.valueOf(node.asText());
  }

  static String rollout(String phase, String extraStatus) {
    return """
        apiVersion: configguard.io/v1alpha1
        kind: GuardedRollout
        metadata: {name: bot-features, namespace: edge, generation: 4}
        spec:
          sourceRef: {name: bot-features}
          strategy: {steps: ["1", "10%%", "50%%", "100%%"]}
        status:
          observedGeneration: 4
          phase: %s
          stableRevision: 6
          candidateRevision: 7
          currentStep: 2
          %s
        """
        .formatted(phase, extraStatus);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "Pending,     Progressing",
    "Validating,  Progressing",
    "Progressing, Progressing",
    "Paused,      Suspended",
    "Frozen,      Suspended",
    "Succeeded,   Healthy",
    "RolledBack,  Degraded",
    "Aborted,     Degraded",
    "Failed,      Degraded",
    "Conflict,    Degraded",
  })
  void everyPhaseMapsToAnArgoCdHealth(String phase, String health) throws IOException {
    Health result = run("health.lua", rollout(phase, "message: some detail"));
    assertThat(result.status()).isEqualTo(health);
    assertThat(result.message()).startsWith(phase).endsWith(": some detail");
  }

  @Test
  void progressingMessageCarriesTheStepAndRevisions() throws IOException {
    Health result = run("health.lua", rollout("Progressing", "message: baking 3 pods"));
    assertThat(result.message())
        .isEqualTo("Progressing, step 2/4, stable r6, candidate r7: baking 3 pods");
  }

  @Test
  void openCircuitIsDegradedWhateverThePhase() throws IOException {
    Health result =
        run(
            "health.lua",
            rollout(
                "Succeeded",
                """
                conditions:
                    - {type: Degraded, status: "True", reason: CircuitOpen, message: 3 revisions failed in a row}
                """));
    assertThat(result.status()).isEqualTo("Degraded");
    assertThat(result.message()).contains("circuit open: 3 revisions failed in a row");
  }

  @Test
  void aSpecNotYetObservedIsProgressing() throws IOException {
    Health result =
        run("health.lua", rollout("Succeeded", "").replace("generation: 4", "generation: 5"));
    assertThat(result.status()).isEqualTo("Progressing");
    assertThat(result.message()).contains("generation 5");
  }

  @Test
  void noStatusYetIsProgressing() throws IOException {
    Health result =
        run(
            "health.lua",
            "{apiVersion: configguard.io/v1alpha1, kind: GuardedRollout, metadata: {name: x}}");
    assertThat(result.status()).isEqualTo("Progressing");
  }

  static String policy(String conditions) {
    return """
        apiVersion: configguard.io/v1alpha1
        kind: ClusterConfigPolicy
        metadata: {name: bot-features, generation: 2}
        status:
          observedGeneration: 2
          conditions: %s
        """
        .formatted(conditions);
  }

  @ParameterizedTest(name = "Ready={0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "True    | Healthy     | Policy compiled and is enforced",
        "False   | Degraded    | spec.rules[2].cel: undeclared reference to 'objekt'",
        "Unknown | Progressing | compiling",
      })
  void policyHealthFollowsReady(String ready, String health, String message) throws IOException {
    String condition =
        "[{type: Ready, status: \"%s\", reason: R, message: \"%s\"}]".formatted(ready, message);
    Health result = run("policy-health.lua", policy(condition));
    assertThat(result.status()).isEqualTo(health);
    assertThat(result.message()).isEqualTo(message);
  }

  /** The argocd-cm snippet must carry the scripts verbatim, so that what is tested is shipped. */
  @Test
  void argocdCmSnippetEmbedsTheTestedScripts() throws IOException {
    JsonNode cm = YAML.readTree(DIR.resolve("argocd-cm.yaml").toFile());
    Map<String, String> expected =
        Map.of(
            "resource.customizations.health.configguard.io_GuardedRollout", "health.lua",
            "resource.customizations.health.configguard.io_ConfigPolicy", "policy-health.lua",
            "resource.customizations.health.configguard.io_ClusterConfigPolicy",
                "policy-health.lua");
    for (var e : expected.entrySet()) {
      assertThat(cm.at("/data/" + e.getKey()).asText())
          .as(e.getKey())
          .isEqualTo(Files.readString(DIR.resolve(e.getValue())));
    }
  }
}
