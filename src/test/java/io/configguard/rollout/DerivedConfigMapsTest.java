package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.Operation;
import io.configguard.policy.Limits;
import io.configguard.policy.ObjectKind;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DerivedConfigMapsTest {
  static final String OPERATOR = "system:serviceaccount:configguard:configguard";

  @ParameterizedTest(name = "{0} writes {1} owned by {2}/{3} controller={4} source={5} -> {6}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          system:serviceaccount:configguard:configguard | bot-features-stable    | GuardedRollout | bot-features | true  | bot-features | bot-features
          system:serviceaccount:configguard:configguard | bot-features-candidate | GuardedRollout | bot-features | true  | bot-features | bot-features
          system:serviceaccount:ci:deployer             | bot-features-stable    | GuardedRollout | bot-features | true  | bot-features | -
          kubernetes-admin                              | bot-features-candidate | GuardedRollout | bot-features | true  | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features           | GuardedRollout | bot-features | true  | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features-v2        | GuardedRollout | bot-features | true  | bot-features | -
          system:serviceaccount:configguard:configguard | other-stable           | GuardedRollout | bot-features | true  | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features-stable    | Deployment     | bot-features | true  | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features-stable    | GuardedRollout | bot-features | false | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features-stable    | -              | -            | -     | bot-features | -
          system:serviceaccount:configguard:configguard | bot-features-stable    | GuardedRollout | bot-features | true  | -            | -
          -                                             | bot-features-stable    | GuardedRollout | bot-features | true  | bot-features | -
          """)
  void onlyTheOperatorWritingItsOwnDerivedConfigMapIsExempt(
      String username,
      String name,
      String ownerKind,
      String ownerName,
      Boolean controller,
      String source,
      String expectedSource) {
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace("edge");
    if (ownerKind != null) {
      meta.addToOwnerReferences(
          new OwnerReferenceBuilder()
              .withApiVersion(
                  ownerKind.equals("Deployment") ? "apps/v1" : "configguard.io/v1alpha1")
              .withKind(ownerKind)
              .withName(ownerName)
              .withUid("u")
              .withController(controller)
              .build());
    }
    if (source != null) {
      meta.addToAnnotations(DerivedConfigMaps.SOURCE_ANNOTATION, source);
    }
    ObjectMeta object = meta.build();
    assertThat(DerivedConfigMaps.operatorWriteSource(username, OPERATOR, object).orElse(null))
        .isEqualTo(expectedSource);
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {"-", "''", "'  '"})
  void withoutAConfiguredServiceAccountNobodyIsExempt(String configured) {
    ObjectMeta object =
        DerivedConfigMaps.build(
                RolloutFixtures.rollout("bot-features", "bot-features", 0),
                DerivedConfigMaps.Track.STABLE,
                1,
                "h",
                new ConfigContent(null, null))
            .getMetadata();
    assertThat(DerivedConfigMaps.operatorWriteSource(configured, configured, object)).isEmpty();
    assertThat(DerivedConfigMaps.operatorWriteSource(OPERATOR, OPERATOR, object))
        .contains("bot-features");
  }

  @Test
  void anExemptWriteIsStillCheckedByPoliciesThatOnlyMatchTheDerivedName() throws Exception {
    Policy sourceGlob = policy("bot-features-guard", "bot-features*");
    Policy stableOnly = policy("stable-guard", "*-stable");
    Policy other = policy("routes-guard", "edge-routes*");
    PolicySet policies = PolicySet.of(List.of(sourceGlob, stableOnly, other));
    ConfigMap stable =
        DerivedConfigMaps.build(
            RolloutFixtures.rollout("bot-features", "bot-features", 0),
            DerivedConfigMaps.Track.STABLE,
            3,
            "h",
            new ConfigContent(Map.of("features.json", "{}"), null));
    Target write =
        new Target(
            ObjectKind.CONFIG_MAP,
            "edge",
            stable.getMetadata().getName(),
            Operation.UPDATE,
            Serialization.jsonMapper().valueToTree(stable),
            Serialization.jsonMapper().valueToTree(stable),
            Serialization.jsonMapper().createObjectNode(),
            Map.of());
    assertThat(policies.matching(write)).containsExactlyInAnyOrder(sourceGlob, stableOnly);
    String source =
        DerivedConfigMaps.operatorWriteSource(OPERATOR, OPERATOR, stable.getMetadata())
            .orElseThrow();
    assertThat(DerivedConfigMaps.policiesBeyondSource(policies, write, source))
        .containsExactly(stableOnly);
  }

  private static Policy policy(String name, String glob) throws Exception {
    ClusterConfigPolicy policy =
        Serialization.unmarshal(
            """
            apiVersion: configguard.io/v1alpha1
            kind: ClusterConfigPolicy
            metadata: {name: %s}
            spec:
              match: {names: ["%s"]}
              rules: [{name: size, maxKeys: 8}]
            """
                .formatted(name, glob),
            ClusterConfigPolicy.class);
    return new PolicyCompiler(Limits.DEFAULT).compile(PolicyRef.cluster(name), policy.getSpec());
  }
}
