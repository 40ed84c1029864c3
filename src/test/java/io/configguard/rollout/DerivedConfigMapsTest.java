package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
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
}
