package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutInvariants.assertPodsOn;
import static io.configguard.rollout.RolloutInvariants.assertStableHolds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delivery tracks are the operator's alone: whatever someone does to {@code -stable} or {@code
 * -candidate} behind its back (edit the content, set the revision key, delete one, mid-bake or
 * idle), the operator finds it on its next pass, restores what it staged from its own record and
 * says so in an Event; it never quarantines content it did not stage, never moves a pod to a number
 * no track holds, and never pre-flights against a stable it cannot see.
 */
class TrackTamperIT {
  static final String NAME = "bot-features";
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  RequestLog log = new RequestLog();
  Operator operator;

  @BeforeEach
  void start() {
    operator = OperatorHarness.start(cluster, log, o -> {});
  }

  @AfterEach
  void stop() {
    operator.stop();
  }

  @Test
  void handEditsOfStableContentOrRevisionKeyAreRestoredAndRollbackFindsItsRevision() {
    String ns = "tamper-stable";
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
    source(client, ns, NAME, features(10));
    OperatorHarness.rollout(client, ns, NAME, 0, "50%", "100%");
    awaitStable(ns, 1);
    source(client, ns, NAME, features(11));
    awaitStable(ns, 2);

    edit(ns, NAME + "-stable", m -> m.getData().put("features.json", features(40)));
    awaitTrack(ns, NAME + "-stable", 2, features(11));
    edit(ns, NAME + "-stable", m -> m.getData().put(DerivedConfigMaps.REVISION_KEY, "99"));
    awaitTrack(ns, NAME + "-stable", 2, features(11));
    assertThat(OperatorHarness.eventReasons(client, ns))
        .filteredOn("TrackRepaired"::equals)
        .hasSizeGreaterThanOrEqualTo(2);

    // A revision that fails returns its pods to the stable revision, which a track holds.
    OperatorHarness.editSpec(client, ns, NAME, r -> r.getSpec().strategy.bakeSeconds = 600);
    source(client, ns, NAME, features(12));
    awaitRollout(client, ns, NAME, r -> Integer.valueOf(2).equals(r.getStatus().updatedPods));
    String sick =
        pods.stream()
            .filter(p -> "3".equals(OperatorHarness.revisionOf(client, ns, p)))
            .findFirst()
            .orElseThrow();
    OperatorHarness.kubelet(client, ns, sick, OperatorHarness::notReady);
    awaitRollout(client, ns, NAME, r -> r.getStatus().phase == RolloutPhase.RolledBack);
    OperatorHarness.awaitPodsOn(client, ns, pods, "2");
    assertStableHolds(client, ns, NAME, 2, features(11));
  }

  @Test
  void anEditedCandidateDuringABakeIsRestoredAndTheStagedContentIsPromotedNotQuarantined() {
    String ns = "tamper-candidate";
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
    source(client, ns, NAME, features(10));
    OperatorHarness.rollout(client, ns, NAME, 3, "50%", "100%");
    awaitStable(ns, 1);
    source(client, ns, NAME, features(12));
    awaitBaking(ns, 2);

    edit(ns, NAME + "-candidate", m -> m.getData().put("features.json", features(40)));

    awaitTrack(ns, NAME + "-candidate", 2, features(12));
    GuardedRollout done = awaitStable(ns, 2);
    assertThat(done.getStatus().failedRevisions).isNullOrEmpty();
    assertStableHolds(client, ns, NAME, 2, features(12));
    assertPodsOn(client, ns, pods, "2");
    RolloutInvariants.assertEachPodMovedOnceTo(ns, List.of("2"), log);
    assertThat(OperatorHarness.eventReasons(client, ns)).contains("TrackRepaired");
  }

  @Test
  void aDeletedCandidateDuringABakeIsReCreatedBeforeAnyPodMovesOnAndIsNotQuarantined() {
    String ns = "tamper-candidate-gone";
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
    source(client, ns, NAME, features(10));
    OperatorHarness.rollout(client, ns, NAME, 3, "50%", "100%");
    awaitStable(ns, 1);
    source(client, ns, NAME, features(12));
    awaitBaking(ns, 2);

    client.configMaps().inNamespace(ns).withName(NAME + "-candidate").delete();

    GuardedRollout done = awaitStable(ns, 2);
    assertThat(done.getStatus().failedRevisions).isNullOrEmpty();
    assertStableHolds(client, ns, NAME, 2, features(12));
    assertPodsOn(client, ns, pods, "2");
    RolloutInvariants.assertEachPodMovedOnceTo(ns, List.of("2"), log);
    // Each move to 2 found -candidate holding 2: the re-creation came before the second step's.
    List<RequestLog.Request> writes = log.requests(RequestLog.Request::applied);
    long recreated =
        writes.stream()
            .filter(r -> r.method().equals("POST") && r.writesConfigMap(ns, NAME + "-candidate"))
            .filter(r -> "2".equals(r.configRevision()))
            .count();
    assertThat(recreated).as("-candidate re-created with revision 2").isEqualTo(1);
    int recreatedAt =
        writes.indexOf(
            writes.stream()
                .filter(
                    r ->
                        r.method().equals("POST")
                            && r.writesConfigMap(ns, NAME + "-candidate")
                            && "2".equals(r.configRevision()))
                .findFirst()
                .orElseThrow());
    assertThat(writes.subList(0, recreatedAt).stream().filter(r -> r.movesPodTo(ns, "2")).count())
        .as("pods moved to 2 before -candidate was deleted and re-created")
        .isEqualTo(2);
  }

  @Test
  void aDeletedStableIsReCreatedSoPreflightStillComparesWithWhatPodsRun() {
    String ns = "tamper-stable-gone";
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
    source(client, ns, NAME, features(10));
    OperatorHarness.rollout(client, ns, NAME, 0, "50%", "100%");
    awaitStable(ns, 1);
    growthPolicy(ns);

    client.configMaps().inNamespace(ns).withName(NAME + "-stable").delete();
    awaitTrack(ns, NAME + "-stable", 1, features(10));
    source(client, ns, NAME, features(31));

    GuardedRollout failed =
        awaitRollout(client, ns, NAME, r -> r.getStatus().phase == RolloutPhase.Failed);
    assertThat(failed.getStatus().message).contains("growth");
    assertThat(RolloutInvariants.moves(ns, log)).isEmpty();
    assertPodsOn(client, ns, pods, (String) null);
    assertStableHolds(client, ns, NAME, 1, features(10));
  }

  private static void edit(String ns, String name, java.util.function.Consumer<ConfigMap> change) {
    client
        .configMaps()
        .inNamespace(ns)
        .withName(name)
        .edit(
            m -> {
              change.accept(m);
              return m;
            });
  }

  private static void awaitTrack(String ns, String name, long revision, String features) {
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(client.configMaps().inNamespace(ns).withName(name).get())
                    .isNotNull()
                    .extracting(ConfigMap::getData)
                    .satisfies(
                        d ->
                            assertThat(d)
                                .containsEntry(
                                    DerivedConfigMaps.REVISION_KEY, Long.toString(revision))
                                .containsEntry("features.json", features)));
  }

  private static GuardedRollout awaitStable(String ns, long revision) {
    return awaitRollout(
        client,
        ns,
        NAME,
        r ->
            r.getStatus().phase == RolloutPhase.Succeeded
                && Long.valueOf(revision).equals(r.getStatus().stableRevision));
  }

  private static GuardedRollout awaitBaking(String ns, long revision) {
    return awaitRollout(
        client,
        ns,
        NAME,
        r ->
            Long.valueOf(revision).equals(r.getStatus().candidateRevision)
                && Integer.valueOf(2).equals(r.getStatus().updatedPods)
                && r.getStatus().bakeStartedAt != null);
  }

  static void growthPolicy(String ns) {
    client
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: configguard.io/v1alpha1
                kind: ConfigPolicy
                metadata: {name: growth, namespace: %s}
                spec:
                  enforcement: Deny
                  match: {names: ["bot-features*"]}
                  rules:
                    - name: growth
                      key: features.json
                      format: json
                      maxGrowth: {path: "$.features", ratio: 1.5}
                """
                    .formatted(ns),
                ConfigPolicy.class))
        .create();
  }
}
