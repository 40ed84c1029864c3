package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigContentTest {

  @Test
  void theHashDependsOnContentOnlyNotOnOrderOrTrack() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    ConfigContent one = new ConfigContent(ab, null);
    assertThat(one.hash()).isEqualTo(new ConfigContent(ba, Map.of()).hash()).hasSize(16);

    ConfigMap stable =
        DerivedConfigMaps.build(
            RolloutFixtures.rollout("r", "src", 0), Track.STABLE, 7, one.hash(), one);
    assertThat(stable.getData()).containsEntry(DerivedConfigMaps.REVISION_KEY, "7");
    assertThat(ConfigContent.ofDerived(stable).hash()).isEqualTo(one.hash());
  }

  @Test
  void framingKeepsDifferentContentApart() {
    assertThat(new ConfigContent(Map.of("ab", "c"), null).hash())
        .isNotEqualTo(new ConfigContent(Map.of("a", "bc"), null).hash());
    assertThat(new ConfigContent(Map.of("k", "dg=="), null).hash())
        .isNotEqualTo(new ConfigContent(null, Map.of("k", "dg==")).hash());
    assertThat(new ConfigContent(Map.of("k", ""), null).hash())
        .isNotEqualTo(new ConfigContent(Map.of(), null).hash());
  }

  @Test
  void theRevisionKeyIsReserved() {
    assertThat(
            new ConfigContent(Map.of(DerivedConfigMaps.REVISION_KEY, "9"), null).usesReservedKey())
        .isTrue();
    assertThat(new ConfigContent(Map.of("features.json", "{}"), null).usesReservedKey()).isFalse();
  }
}
