package io.configguard.policy;

import static io.configguard.policy.Fixtures.configMap;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.Enforcement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The set: kind index, scope, every violation of every matching policy, in order. */
class PolicySetTest {
  static Policy policy(String name, String namespace, String spec) throws Exception {
    PolicyRef ref =
        namespace == null ? PolicyRef.cluster(name) : PolicyRef.namespaced(namespace, name);
    return Fixtures.COMPILER.compile(ref, Fixtures.spec(Fixtures.yaml(spec)));
  }

  @Test
  void aTargetOnlyMeetsThePoliciesOfItsKind() throws Exception {
    List<Policy> policies = new ArrayList<>();
    for (int i = 0; i < 995; i++) {
      policies.add(
          policy(
              "crd-" + i,
              null,
              "match: {resources: [{apiGroups: [g"
                  + i
                  + ".example.com], kinds: [Kind"
                  + i
                  + "]}]}\n"
                  + "rules: [{name: r, maxTotalBytes: 1}]"));
    }
    for (int i = 0; i < 4; i++) {
      policies.add(policy("cm-" + i, null, "rules: [{name: r, maxKeys: 0}]"));
    }
    policies.add(
        policy(
            "any-core",
            null,
            "match: {resources: [{apiGroups: [''], kinds: ['*']}]}\nrules: [{name: r, maxKeys: 0}]"));
    PolicySet set = PolicySet.of(policies);
    Target target = Target.create(configMap(Map.of("a", "1")));

    assertThat(set.size()).isEqualTo(1000);
    assertThat(set.matching(target))
        .extracting(p -> p.ref().name())
        .containsExactly("cm-0", "cm-1", "cm-2", "cm-3", "any-core");
    assertThat(set.evaluate(target).violations()).hasSize(5);
  }

  @Test
  void aTargetOnlyMeetsTheConfigPoliciesOfItsOwnNamespaceInSetOrder() throws Exception {
    List<Policy> policies = new ArrayList<>();
    policies.add(policy("cluster-first", null, "rules: [{name: r, maxKeys: 0}]"));
    for (int i = 0; i < 300; i++) {
      policies.add(policy("team", "team-" + i, "rules: [{name: r, maxKeys: 0}]"));
    }
    policies.add(
        policy(
            "any-kind",
            null,
            "match: {resources: [{apiGroups: ['*'], kinds: ['*']}]}\nrules: [{name: r, maxKeys: 0}]"));
    policies.add(policy("default-team", "default", "rules: [{name: r, maxKeys: 0}]"));
    PolicySet set = PolicySet.of(policies);

    assertThat(set.matching(Target.create(configMap(Map.of("a", "1")))))
        .extracting(p -> p.ref().id())
        .containsExactly("cluster-first", "any-kind", "default/default-team");
    ObjectNode inTeam7 = configMap(Map.of("a", "1"));
    ((ObjectNode) inTeam7.get("metadata")).put("namespace", "team-7");
    assertThat(set.matching(Target.create(inTeam7)))
        .extracting(p -> p.ref().id())
        .containsExactly("cluster-first", "team-7/team", "any-kind");
  }

  @Test
  void collectsEveryViolationOfEveryMatchingPolicy() throws Exception {
    PolicySet set =
        PolicySet.of(
            List.of(
                policy(
                    "size",
                    null,
                    "enforcement: Warn\nrules: [{name: keys, maxKeys: 1}, {name: bytes, maxBytes:"
                        + " 2}]"),
                policy("team", "default", "enforcement: Audit\nrules: [{name: c, cel: 'false'}]"),
                policy("elsewhere", "other", "rules: [{name: c, cel: 'false'}]"),
                policy("strict", null, "rules: [{name: json, key: '*.json', format: json}]")));
    JsonNode cm = configMap(Map.of("a.json", "{", "b", "123"));

    Verdict verdict = set.evaluate(Target.create(cm));

    assertThat(Fixtures.lines(verdict.violations()))
        .containsExactly(
            "size/keys: 2 keys in data and binaryData, exceeds maxKeys 1",
            "size/bytes: b: value is 3 bytes, exceeds maxBytes 2",
            "default/team/c: CEL expression is false: false",
            "strict/json: a.json: invalid JSON at line 1, column 2: Unexpected end-of-input:"
                + " expected close marker for Object");
    assertThat(verdict.denied()).isTrue();
    assertThat(verdict.with(Enforcement.Warn)).hasSize(2);
    assertThat(verdict.with(Enforcement.Audit)).hasSize(1);
  }

  @Test
  void aCleanTargetGetsTheCleanVerdict() throws Exception {
    PolicySet set = PolicySet.of(List.of(policy("p", null, "rules: [{name: r, maxKeys: 5}]")));
    assertThat(set.evaluate(Target.create(configMap(Map.of("a", "1"))))).isSameAs(Verdict.CLEAN);
    assertThat(PolicySet.EMPTY.evaluate(Target.create(configMap(Map.of()))))
        .isSameAs(Verdict.CLEAN);
  }
}
