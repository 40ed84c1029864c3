package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.FailedRevision;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.rollout.DerivedConfigMaps.Track;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevisionsTest {
  private static final ConfigContent A = new ConfigContent(Map.of("k", "a"), null);
  private static final ConfigContent B = new ConfigContent(Map.of("k", "b"), null);

  @Test
  void theNextNumberIsAboveEverythingSeen() {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    assertThat(Revisions.next(s, Optional.empty(), Optional.empty(), A.hash())).isEqualTo(1);
    s.stableRevision = 4L;
    s.failedRevisions.add(new FailedRevision(9L, "x", "bad", null));
    assertThat(Revisions.next(s, Optional.empty(), Optional.empty(), A.hash())).isEqualTo(10);
    s.latestRevision = 12L;
    assertThat(Revisions.next(s, Optional.of(map(Track.STABLE, 4, A)), Optional.empty(), B.hash()))
        .isEqualTo(13);
    // A track holding a higher number than the status knows (status lost) still wins.
    assertThat(Revisions.next(s, Optional.of(map(Track.STABLE, 20, A)), Optional.empty(), B.hash()))
        .isEqualTo(21);
  }

  @Test
  void contentAlreadyStagedUnderAnUnrecordedNumberKeepsThatNumber() {
    GuardedRolloutStatus s = new GuardedRolloutStatus();
    s.stableRevision = 4L;
    s.latestRevision = 4L;
    Optional<ConfigMap> stable = Optional.of(map(Track.STABLE, 4, A));
    Optional<ConfigMap> staged = Optional.of(map(Track.CANDIDATE, 5, B));
    assertThat(Revisions.next(s, stable, staged, B.hash())).isEqualTo(5);
    // Different content, or a number the status already gave out: a fresh number.
    assertThat(Revisions.next(s, stable, staged, A.hash())).isEqualTo(6);
    s.latestRevision = 5L;
    assertThat(Revisions.next(s, stable, staged, B.hash())).isEqualTo(6);
  }

  private static ConfigMap map(Track track, long revision, ConfigContent content) {
    return DerivedConfigMaps.build(
        RolloutFixtures.rollout("r", "src", 0), track, revision, content.hash(), content);
  }
}
