package io.configguard.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.Enforcement;
import io.configguard.policy.PolicyRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyFilesTest {
  @TempDir Path dir;

  @Test
  void readsBothPolicyKindsAndSkipsOtherObjects() throws Exception {
    List<PolicyFiles.Definition> definitions =
        PolicyFiles.read(List.of(Path.of("src/test/resources/admission/policies")), "default");
    assertThat(definitions)
        .extracting(PolicyFiles.Definition::ref)
        .contains(
            PolicyRef.cluster("edge-routes-guard"), PolicyRef.namespaced("edge", "dry-guard"));
    assertThat(definitions).allSatisfy(d -> assertThat(d.errors()).isEmpty());
    assertThat(definitions.get(1).spec().enforcement).isEqualTo(Enforcement.Warn);

    Files.writeString(
        dir.resolve("p.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: not-a-policy}
        ---
        apiVersion: configguard.io/v1alpha1
        kind: ConfigPolicy
        metadata: {name: local}
        spec: {rules: [{name: r, maxKeys: 1}]}
        """);
    assertThat(PolicyFiles.read(List.of(dir), "team-a"))
        .singleElement()
        .satisfies(d -> assertThat(d.ref()).isEqualTo(PolicyRef.namespaced("team-a", "local")));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "configguard.io/v1alpha1 | 'spec: {rules: [{name: r, maxItem: {path: $.a, max: 1}}]}' | spec.rules[0].maxItem: unknown field",
        "configguard.io/v1alpha1 | 'spec: {enforcement: Block}' | spec.enforcement: ",
        "configguard.io/v1alpha1 | 'spec: {rules: {name: r}}' | spec.rules: ",
        "configguard.io/v1alpha1 | 'spec: {enforcement: 2, rules: [{name: r, maxKeys: 1}]}' | spec.enforcement: ",
        "configguard.io/v1alpha1 | 'spec: {rules: [{name: r, key: f, format: json, maxItems: {path: $.a, max: 1.9}}]}' | spec.rules[0].maxItems.max: ",
        "configguard.io/v1alpha1 | 'spec: {rules: [{name: r, maxKeys: \"5\"}]}' | spec.rules[0].maxKeys: ",
        "configguard.io/v1alpha1 | 'spec: 3' | spec: required",
        "configguard.io/v1 | 'spec: {}' | apiVersion: must be configguard.io/v1alpha1",
      })
  void namesTheFieldThatCannotBeRead(String apiVersion, String spec, String reason)
      throws Exception {
    Files.writeString(
        dir.resolve("p.yaml"),
        "apiVersion: " + apiVersion + "\nkind: ClusterConfigPolicy\nmetadata: {name: p}\n" + spec);
    PolicyFiles.Definition definition = PolicyFiles.read(List.of(dir), "default").get(0);
    assertThat(definition.spec()).isNull();
    assertThat(definition.errors()).singleElement().asString().startsWith(reason);
  }

  @Test
  void aPolicyDefinedTwiceIsAnError() throws Exception {
    String policy =
        "apiVersion: configguard.io/v1alpha1\nkind: ClusterConfigPolicy\nmetadata: {name: p}\nspec: {}\n";
    Files.writeString(dir.resolve("a.yaml"), policy);
    Files.writeString(dir.resolve("b.yaml"), policy);
    List<PolicyFiles.Definition> definitions = PolicyFiles.read(List.of(dir), "default");
    assertThat(definitions.get(0).errors()).isEmpty();
    assertThat(definitions.get(1).errors())
        .containsExactly(
            "metadata.name: ClusterConfigPolicy p is already defined in " + dir.resolve("a.yaml"));
  }
}
