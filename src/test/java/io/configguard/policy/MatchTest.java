package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Operation;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** match: kinds, operations, name globs, selectors, and a ConfigPolicy's own namespace. */
class MatchTest {
  @ParameterizedTest(name = "[{index}] {0} / {1} {2} {3}/{4} {5} {6} -> {7}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          {}                                                             | CREATE | v1/ConfigMap                    | edge/bot-features | app=bot-management | tier=edge | -    | true
          {}                                                             | UPDATE | v1/ConfigMap                    | edge/bot-features | ""                 | ""        | -    | true
          {}                                                             | DELETE | v1/ConfigMap                    | edge/bot-features | ""                 | ""        | -    | false
          {operations: [DELETE]}                                         | DELETE | v1/ConfigMap                    | edge/bot-features | ""                 | ""        | -    | true
          {}                                                             | CREATE | v1/Secret                       | edge/bot-features | ""                 | ""        | -    | false
          {resources: [{apiGroups: [''], kinds: ['*']}]}                 | CREATE | v1/Secret                       | edge/x            | ""                 | ""        | -    | true
          {resources: [{apiGroups: ['*'], kinds: [EdgeRoute]}]}          | CREATE | gw.example.com/v1/EdgeRoute     | edge/x            | ""                 | ""        | -    | true
          {resources: [{apiGroups: [gw.example.com], kinds: [EdgeRoute], versions: [v2]}]} | CREATE | gw.example.com/v1/EdgeRoute | edge/x | "" | "" | - | false
          {resources: [{apiGroups: [gw.example.com], kinds: [EdgeRoute]}]} | CREATE | v1/ConfigMap                  | edge/x            | ""                 | ""        | -    | false
          {names: [bot-features*]}                                       | CREATE | v1/ConfigMap                    | edge/bot-features-stable | ""          | ""        | -    | true
          {names: [bot-features*, other]}                                | CREATE | v1/ConfigMap                    | edge/web          | ""                 | ""        | -    | false
          {objectSelector: {matchLabels: {app: bot-management}}}         | CREATE | v1/ConfigMap                    | edge/x            | app=bot-management | ""        | -    | true
          {objectSelector: {matchLabels: {app: bot-management}}}         | CREATE | v1/ConfigMap                    | edge/x            | app=web            | ""        | -    | false
          {objectSelector: {matchExpressions: [{key: app, operator: In, values: [a, b]}]}}  | CREATE | v1/ConfigMap | edge/x | app=b | "" | - | true
          {objectSelector: {matchExpressions: [{key: app, operator: NotIn, values: [a, b]}]}} | CREATE | v1/ConfigMap | edge/x | app=b | "" | - | false
          {objectSelector: {matchExpressions: [{key: app, operator: NotIn, values: [a, b]}]}} | CREATE | v1/ConfigMap | edge/x | ""    | "" | - | true
          {objectSelector: {matchExpressions: [{key: app, operator: Exists}]}}              | CREATE | v1/ConfigMap | edge/x | app=z | "" | - | true
          {objectSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}}        | CREATE | v1/ConfigMap | edge/x | app=z | "" | - | false
          {namespaceSelector: {matchLabels: {tier: edge}}}               | CREATE | v1/ConfigMap                    | edge/x            | ""                 | tier=edge | -    | true
          {namespaceSelector: {matchLabels: {tier: edge}}}               | CREATE | v1/ConfigMap                    | edge/x            | ""                 | tier=core | -    | false
          {namespaceSelector: {matchLabels: {tier: edge}}}               | CREATE | v1/ConfigMap                    | edge/x            | ""                 | ""        | -    | false
          {namespaceSelector: {matchLabels: {tier: edge}}, resources: [{apiGroups: [''], kinds: [Namespace]}]} | CREATE | v1/Namespace | /edge | tier=edge | "" | - | true
          {namespaceSelector: {matchLabels: {tier: edge}}, resources: [{apiGroups: [''], kinds: [Namespace]}]} | CREATE | v1/Namespace | /edge | "" | "" | - | false
          {namespaceSelector: {matchLabels: {tier: edge}}, resources: [{apiGroups: [''], kinds: ['*']}]} | CREATE | v1/PersistentVolume | /pv | "" | "" | - | true
          {}                                                             | CREATE | v1/ConfigMap                    | edge/x            | ""                 | ""        | edge | true
          {}                                                             | CREATE | v1/ConfigMap                    | other/x           | ""                 | ""        | edge | false
          """)
  void matches(
      String match,
      Operation operation,
      String kind,
      String object,
      String labels,
      String namespaceLabels,
      String policyNamespace,
      boolean expected)
      throws Exception {
    int slash = kind.lastIndexOf('/');
    String[] nsName = object.split("/", -1);
    ObjectNode manifest =
        (ObjectNode)
            Fixtures.yaml(
                "apiVersion: "
                    + kind.substring(0, slash)
                    + "\nkind: "
                    + kind.substring(slash + 1)
                    + "\nmetadata: {name: "
                    + nsName[1]
                    + (nsName[0].isEmpty() ? "" : ", namespace: " + nsName[0])
                    + "}");
    ObjectNode labelNode = ((ObjectNode) manifest.get("metadata")).putObject("labels");
    labels(labels).forEach(labelNode::put);
    Target target =
        Target.of(operation, operation == Operation.DELETE ? null : manifest, manifest)
            .withNamespaceLabels(labels(namespaceLabels));
    PolicyRef ref =
        policyNamespace.equals("-")
            ? PolicyRef.cluster("p")
            : PolicyRef.namespaced(policyNamespace, "p");
    Policy policy =
        Fixtures.COMPILER.compile(
            ref,
            Fixtures.spec(Fixtures.yaml("match: " + match + "\nrules: [{name: r, maxKeys: 1}]")));

    assertThat(policy.matches(target)).isEqualTo(expected);
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> out = new HashMap<>();
    if (text != null && !text.isEmpty()) {
      for (String pair : text.split(",")) {
        String[] kv = pair.split("=", 2);
        out.put(kv[0], kv[1]);
      }
    }
    return out;
  }

  /** An UPDATE that drops (or adds) the selected label: the old or the new object is enough. */
  @ParameterizedTest(name = "[{index}] {0}: {1} -> {2}: {3}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          {objectSelector: {matchLabels: {configguard.io/guard: "on"}}}  | configguard.io/guard=on | ""                      | true
          {objectSelector: {matchLabels: {configguard.io/guard: "on"}}}  | ""                      | configguard.io/guard=on | true
          {objectSelector: {matchLabels: {configguard.io/guard: "on"}}}  | ""                      | other=x                 | false
          {objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}} | ""        | skip=yes                | true
          """)
  void anUpdateIsMatchedOnTheOldOrTheNewObject(
      String match, String oldLabels, String newLabels, boolean expected) throws Exception {
    Policy policy =
        Fixtures.COMPILER.compile(
            PolicyRef.cluster("p"),
            Fixtures.spec(Fixtures.yaml("match: " + match + "\nrules: [{name: r, maxKeys: 1}]")));
    assertThat(policy.matches(update("v1", "ConfigMap", "edge", oldLabels, newLabels)))
        .isEqualTo(expected);

    io.configguard.api.ConfigFreezeSpec freeze =
        Fixtures.YAML.treeToValue(
            Fixtures.yaml("denyWrites: true\nmatch: " + match),
            io.configguard.api.ConfigFreezeSpec.class);
    assertThat(
            Freeze.compile("f", freeze)
                .freezes(update("v1", "ConfigMap", "edge", oldLabels, newLabels)))
        .isEqualTo(expected);
  }

  /** A Namespace whose labels change is selected by its labels before or after the change. */
  @ParameterizedTest(name = "[{index}] {0} -> {1}: {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          tier=edge | ""        | true
          ""        | tier=edge | true
          tier=core | ""        | false
          """)
  void aNamespaceIsSelectedByItsLabelsBeforeOrAfter(
      String oldLabels, String newLabels, boolean expected) throws Exception {
    Policy policy =
        Fixtures.COMPILER.compile(
            PolicyRef.cluster("p"),
            Fixtures.spec(
                Fixtures.yaml(
                    "match: {namespaceSelector: {matchLabels: {tier: edge}}, resources:"
                        + " [{apiGroups: [''], kinds: [Namespace]}]}\n"
                        + "rules: [{name: r, maxKeys: 1}]")));
    assertThat(policy.matches(update("v1", "Namespace", "", oldLabels, newLabels)))
        .isEqualTo(expected);
    io.configguard.api.ConfigFreezeSpec freeze =
        Fixtures.YAML.treeToValue(
            Fixtures.yaml(
                "denyWrites: true\nnamespaceSelector: {matchLabels: {tier: edge}}\n"
                    + "match: {resources: [{apiGroups: [''], kinds: [Namespace]}]}"),
            io.configguard.api.ConfigFreezeSpec.class);
    assertThat(
            Freeze.compile("f", freeze)
                .freezes(update("v1", "Namespace", "", oldLabels, newLabels)))
        .isEqualTo(expected);
  }

  private static Target update(
      String apiVersion, String kind, String namespace, String oldLabels, String newLabels) {
    return Target.of(
        Operation.UPDATE,
        object(apiVersion, kind, namespace, newLabels),
        object(apiVersion, kind, namespace, oldLabels));
  }

  private static ObjectNode object(
      String apiVersion, String kind, String namespace, String labels) {
    ObjectNode manifest =
        (ObjectNode)
            Fixtures.yaml(
                "apiVersion: "
                    + apiVersion
                    + "\nkind: "
                    + kind
                    + "\nmetadata: {name: x"
                    + (namespace.isEmpty() ? "" : ", namespace: " + namespace)
                    + "}");
    ObjectNode labelNode = ((ObjectNode) manifest.get("metadata")).putObject("labels");
    labels(labels).forEach(labelNode::put);
    return manifest;
  }
}
