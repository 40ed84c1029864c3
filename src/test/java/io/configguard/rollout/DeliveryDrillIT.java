package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.revisionOf;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.Faults;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drills of issue 14 against the Fabric8 mock API server: an admission controller that denies every
 * move (answered in place of the API server by {@link Faults}), a candidate pod relabelled out of
 * the selector, and a pod forged onto a revision no track holds.
 */
class DeliveryDrillIT {
  static final String NAME = "bot-features";
  static final String KYVERNO =
      "admission webhook \"validate.kyverno.svc-fail\" denied the request: resource"
          + " Pod/x was blocked due to the following policies: no-annotation-edits";
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  @Test
  void aDeniedMoveIsReportedWithItsReasonInOneEventAndBackedOff() throws Exception {
    String ns = "denied";
    RequestLog log = new RequestLog();
    try (Faults faults = new Faults()) {
      Operator operator = OperatorHarness.start(cluster, log, faults, o -> {});
      try {
        List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
        source(client, ns, NAME, features(10));
        OperatorHarness.rollout(client, ns, NAME, 1, "50%", "100%");
        awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
        faults.deny(r -> r.movesPodTo(ns, "2"), 403, KYVERNO);
        source(client, ns, NAME, features(12));

        GuardedRollout denied =
            awaitRollout(
                client,
                ns,
                NAME,
                r -> r.getStatus().deniedMoves != null && r.getStatus().deniedMoves >= 3,
                Duration.ofSeconds(30));
        assertThat(denied.getStatus().phase).isEqualTo(RolloutPhase.Progressing);
        assertThat(denied.getStatus().lastDenial).endsWith(KYVERNO);
        assertThat(denied.getStatus().message).contains("denied move", KYVERNO);
        int attempts = denied.getStatus().deniedMoves;

        List<Request> patches = log.requests(r -> r.movesPodTo(ns, "2"));
        // One patch per attempt: a denial is not a stale view, so no re-read and no second try.
        assertThat(patches.subList(0, attempts)).extracting(Request::injected).containsOnly(403);
        assertThat(millisBetween(patches.get(0), patches.get(1))).isGreaterThanOrEqualTo(2000);
        assertThat(millisBetween(patches.get(1), patches.get(2))).isGreaterThanOrEqualTo(4000);
        // The Fabric8 client reads the pod before each patch; a denial adds no re-read of its own
        // (a 409 does: the pod is read again and patched once more).
        assertThat(log.requests(r -> r.method().equals("GET") && r.path().contains("/pods/")))
            .as("pod reads")
            .hasSameSizeAs(
                log.requests(r -> r.method().equals("PATCH") && r.path().contains("/pods/")));

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  List<Event> events = events(ns, "MoveDenied");
                  assertThat(events).as("one Event object, its count bumped").hasSize(1);
                  assertThat(events.get(0).getCount()).isEqualTo(get(ns).getStatus().deniedMoves);
                  assertThat(events.get(0).getMessage()).contains(KYVERNO);
                });
        assertThat(events(ns, "MoveRefused")).isEmpty();
        RolloutInvariants.assertPodsOn(client, ns, pods, "1", null);
      } finally {
        operator.stop();
      }
    }
  }

  @Test
  void aCandidatePodRelabelledOutOfTheSelectorIsReleasedAndTheRestRollBack() throws Exception {
    String ns = "leaver";
    RequestLog log = new RequestLog();
    Operator operator = OperatorHarness.start(cluster, log, o -> {});
    try {
      List<String> pods = OperatorHarness.pods(client, ns, "proxy", 4, 2);
      source(client, ns, NAME, features(10));
      OperatorHarness.rollout(client, ns, NAME, 60, "50%", "100%");
      awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
      source(client, ns, NAME, features(12));
      awaitRollout(client, ns, NAME, r -> Integer.valueOf(2).equals(r.getStatus().updatedPods));
      List<String> onCandidate =
          pods.stream().filter(p -> "2".equals(revisionOf(client, ns, p))).toList();
      String leaver = onCandidate.get(0);
      String stays = onCandidate.get(1);

      client
          .pods()
          .inNamespace(ns)
          .withName(leaver)
          .edit(
              p -> {
                p.getMetadata().getLabels().put("app", "debug");
                return p;
              });
      await()
          .atMost(OperatorHarness.TIMEOUT)
          .untilAsserted(
              () -> {
                Map<String, String> a =
                    client
                        .pods()
                        .inNamespace(ns)
                        .withName(leaver)
                        .get()
                        .getMetadata()
                        .getAnnotations();
                assertThat(a.get(RolloutKeys.REVISION)).as("released: no revision").isNull();
                assertThat(a.get(RolloutKeys.ROLLOUT)).as("released: no claim").isNull();
              });
      assertThat(OperatorHarness.eventReasons(client, ns)).contains("PodsReleased");

      // The revision then fails on the pod that stayed: it returns, the leaver is not touched.
      OperatorHarness.kubelet(client, ns, stays, OperatorHarness::notReady);
      awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);
      OperatorHarness.awaitPodsOn(client, ns, List.of(stays), "1");
      assertThat(revisionOf(client, ns, leaver)).isNull();
      // The release is the one patch to "no revision" (the request log reads its null as "null").
      RolloutInvariants.assertEachPodMovedOnceTo(ns, List.of("1", "2", "null"), log);
    } finally {
      operator.stop();
    }
  }

  @Test
  void aPodForgedOntoARevisionNoTrackHoldsIsReportedAndPointedAtStable() throws Exception {
    String ns = "forged";
    RequestLog log = new RequestLog();
    Operator operator = OperatorHarness.start(cluster, log, o -> {});
    try {
      List<String> pods = OperatorHarness.pods(client, ns, "proxy", 3, 1);
      source(client, ns, NAME, features(10));
      OperatorHarness.rollout(client, ns, NAME, 0, "100%");
      awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
      client
          .pods()
          .inNamespace(ns)
          .withName(pods.get(2))
          .edit(
              p -> {
                p.getMetadata()
                    .setAnnotations(
                        Map.of(RolloutKeys.ROLLOUT, "ghost", RolloutKeys.REVISION, "999"));
                return p;
              });
      OperatorHarness.awaitPodsOn(client, ns, List.of(pods.get(2)), "1");
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .withName(pods.get(2))
                  .get()
                  .getMetadata()
                  .getAnnotations())
          .containsEntry(RolloutKeys.ROLLOUT, NAME);
      assertThat(events(ns, "UnknownRevision"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.getMessage()).contains(pods.get(2) + " (revision 999 of ghost)"));
      assertThat(get(ns).getStatus().phase).isEqualTo(RolloutPhase.Succeeded);
    } finally {
      operator.stop();
    }
  }

  private static GuardedRollout get(String ns) {
    return OperatorHarness.get(client, ns, NAME);
  }

  private static List<Event> events(String ns, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static long millisBetween(Request earlier, Request later) {
    return (later.nanos() - earlier.nanos()) / 1_000_000;
  }
}
