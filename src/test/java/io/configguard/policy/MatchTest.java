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
          {namespaceSelector: {matchLabels: {tier: edge}}, resources: [{apiGroups: [''], kinds: [Namespace]}]} | CREATE | v1/Namespace | /edge | "" | "" | - | true
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
}
