package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.NS;
import static io.configguard.rollout.RolloutFixtures.features;
import static io.configguard.rollout.RolloutInvariants.assertEachPodMovedOnceTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.Faults;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.Operator;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Drills the AWS DNS Enactor race: an actor that decided on a view that has since gone stale. A
 * whole operator frozen mid-pass while another one ships two newer revisions gets every write
 * refused when it wakes, and no pod or revision number goes backwards. Below that, one pod move
 * decided on a stale read is refused by the API server and retried once only when the pod's
 * annotations are still what the decision was based on.
 */
class StaleActorIT {
  static final String NAME = "bot-features";
  @RegisterExtension static final MockCluster cluster = new MockCluster().withCrds();
  static final KubernetesClient client = cluster.client;

  RequestLog log = new RequestLog();
  KubernetesClient operatorClient;
  RolloutState state;

  @BeforeEach
  void setUp() {
    operatorClient = cluster.client(log);
    state =
        new RolloutState(
            RolloutFixtures.rollout("bot-features", "bot-features", 0),
            new GuardedRolloutStatus(),
            new ApiCluster(operatorClient),
            null,
            Instant.now(),
            List.of(),
            Optional.empty(),
            List.of());
  }

  /**
   * Where operator B freezes, having decided from the same view as A, which is frozen there too. A
   * then ships revision 2 and is baking step 1 of revision 3 when B goes on.
   */
  enum FrozenAt {
    /**
     * Taking revision 2: the first write of its pass, staging it in -candidate (its NewRevision
     * Event follows the status); B starts before the change, and its write is refused (409).
     */
    TAKING_REVISION_2(
        true,
        409,
        ns ->
            r ->
                r.writesConfigMap(ns, NAME + "-candidate") && "2".equals(r.configRevision())
                    || r.is("POST", "/namespaces/" + ns + "/events")
                        && r.body().contains("NewRevision")
                        && r.body().contains("revision 2 (")),
    /** Sending its first move to revision 2, with the pod list (resourceVersions) of then. */
    MOVING_PODS_TO_2(false, 409, ns -> r -> r.movesPodTo(ns, "2")),
    /** Sending the status that ends step 1 of revision 2 (a pass that writes nothing else). */
    ENDING_STEP_1(
        false,
        409,
        ns ->
            r ->
                r.is("PATCH", "/namespaces/" + ns + "/guardedrollouts/" + NAME + "/status")
                    && r.body().contains("\"path\":\"/status/currentStep\",\"value\":2")),
    /**
     * Baked step 1 of revision 2: the first request of the pass that ends it, be it the status that
     * ends the step or its StepPassed Event (a replica that lost the lease while baking).
     */
    PASSING_STEP_1(
        false,
        409,
        ns ->
            r ->
                ENDING_STEP_1.frozenRequest.apply(ns).test(r)
                    || r.is("POST", "/namespaces/" + ns + "/events")
                        && r.body().contains("StepPassed")
                        && r.body().contains("revision 2 step 1"));

    final boolean startsBeforeTheChange;
    final int frozenRequestAnswer;
    final Function<String, Predicate<Request>> frozenRequest;

    FrozenAt(
        boolean startsBeforeTheChange,
        int frozenRequestAnswer,
        Function<String, Predicate<Request>> frozenRequest) {
      this.startsBeforeTheChange = startsBeforeTheChange;
      this.frozenRequestAnswer = frozenRequestAnswer;
      this.frozenRequest = frozenRequest;
    }
  }

  @ParameterizedTest
  @EnumSource(FrozenAt.class)
  void aStaleOperatorHasEveryWriteRefusedAndNoPodOrRevisionGoesBackwards(FrozenAt frozen)
      throws Exception {
    String ns = "race-" + frozen.name().toLowerCase(Locale.ROOT).replace('_', '-');
    Predicate<Request> frozenRequest = frozen.frozenRequest.apply(ns);
    RequestLog logA = new RequestLog();
    RequestLog logB = new RequestLog();
    List<GuardedRolloutStatus> seen = new CopyOnWriteArrayList<>();
    Operator a = null;
    Operator b = null;
    try (Faults faultsA = new Faults().holdAt(frozenRequest);
        Faults faultsB = new Faults().holdAt(frozenRequest);
        Watch statuses = watchStatus(ns, seen)) {
      a = OperatorHarness.start(cluster, logA, faultsA, o -> {});
      List<String> pods = OperatorHarness.pods(client, ns, "proxy", 6, 3);
      source(client, ns, NAME, features(10));
      OperatorHarness.rollout(client, ns, NAME, 1, "50%", "100%");
      awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
      if (frozen.startsBeforeTheChange) {
        b = OperatorHarness.start(cluster, logB, faultsB, o -> {});
      }
      source(client, ns, NAME, features(12));
      assertThat(faultsA.awaitHeld(20)).as("A froze").isTrue();
      if (!frozen.startsBeforeTheChange) {
        b = OperatorHarness.start(cluster, logB, faultsB, o -> {});
      }
      assertThat(faultsB.awaitHeld(20)).as("B froze at the same point as A").isTrue();

      faultsA.release();
      awaitStableRevision(ns, 2);
      // Revision 3 stays in flight (step 1 baking) while B goes on.
      OperatorHarness.editSpec(client, ns, NAME, r -> r.getSpec().strategy.bakeSeconds = 30);
      source(client, ns, NAME, features(14));
      OperatorHarness.awaitRollout(
          client,
          ns,
          NAME,
          r ->
              Long.valueOf(3).equals(r.getStatus().candidateRevision)
                  && Integer.valueOf(3).equals(r.getStatus().updatedPods)
                  && r.getStatus().bakeStartedAt != null);
      faultsB.release();
      Request unfrozen =
          await()
              .atMost(OperatorHarness.TIMEOUT)
              .until(
                  () ->
                      logB.requests(r -> frozenRequest.test(r) && r.code() != 0).stream()
                          .findFirst(),
                  Optional::isPresent)
              .get();
      // B is a live second operator from here on: both finish revision 3.
      OperatorHarness.editSpec(client, ns, NAME, r -> r.getSpec().strategy.bakeSeconds = 0);
      awaitStableRevision(ns, 3);

      assertThat(unfrozen.code()).as("%s", unfrozen).isEqualTo(frozen.frozenRequestAnswer);
      assertThat(
              logB.requests(
                  r ->
                      r.nanos() >= unfrozen.nanos()
                          && r.applied()
                          && r.is("POST", "/namespaces/" + ns + "/events")))
          .as("Events B filed once it went on from its stale view")
          .noneMatch(r -> r.body().contains("revision 2 ") || r.body().contains("revision 2:"));
      if (frozen == FrozenAt.PASSING_STEP_1) {
        // Filed once, by A: B neither files it again nor bumps its count once revision 3 runs.
        assertThat(
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(e -> "StepPassed".equals(e.getReason()))
                    .filter(e -> e.getMessage().startsWith("revision 2 step 1/")))
            .singleElement()
            .satisfies(e -> assertThat(e.getCount()).as("count").isEqualTo(1));
        assertThat(unfrozen.path())
            .as("B's first request after it went on")
            .doesNotContain("/events");
      }
      assertThat(RolloutInvariants.moves(ns, logB))
          .as("pods B moved")
          .allSatisfy(m -> assertThat(m.revision()).isEqualTo("3"));
      assertEachPodMovedOnceTo(ns, List.of("2", "3"), logA, logB);
      RolloutInvariants.assertPodsOn(client, ns, pods, "3");
      RolloutInvariants.assertStableHolds(client, ns, NAME, 3, features(14));
      assertThat(RolloutInvariants.revisionsWritten(ns, NAME + "-candidate", logA, logB))
          .containsExactly("1", "2", "3");
      assertThat(RolloutInvariants.revisionsWritten(ns, NAME + "-stable", logA, logB))
          .containsExactly("1", "2", "3");
      assertThat(seen).extracting(s -> orZero(s.latestRevision)).isSorted().last().isEqualTo(3L);
      assertThat(seen).extracting(s -> orZero(s.stableRevision)).isSorted();
    } finally {
      if (b != null) {
        b.stop();
      }
      if (a != null) {
        a.stop();
      }
    }
  }

  private static void awaitStableRevision(String ns, long revision) {
    OperatorHarness.awaitRollout(
        client,
        ns,
        NAME,
        r ->
            r.getStatus().phase == RolloutPhase.Succeeded
                && Long.valueOf(revision).equals(r.getStatus().stableRevision));
  }

  /** Records every status the API server holds for the rollout, as watch events bring them. */
  private static Watch watchStatus(String ns, List<GuardedRolloutStatus> seen) {
    return client
        .resources(GuardedRollout.class)
        .inNamespace(ns)
        .withName(NAME)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, GuardedRollout rollout) {
                if (rollout.getStatus() != null) {
                  seen.add(rollout.getStatus());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  @Test
  void aPodWhoseAnnotationChangedUnderneathIsRefusedWithOnePatch() {
    Pod seen = createOnRevision("stale-0", "4");
    client
        .pods()
        .inNamespace(NS)
        .withName("stale-0")
        .edit(p -> RolloutFixtures.annotated(p, RolloutKeys.REVISION, "7"));

    PodMover.Result result = PodMover.pointAt(state, seen, 5, true);

    assertThat(result).isInstanceOf(PodMover.Result.Refused.class);
    assertThat(((PodMover.Result.Refused) result).why())
        .isEqualTo(
            "stale-0 changed underneath (expected revision 4, rollout bot-features, found"
                + " revision 7, rollout bot-features)");
    assertThat(annotation("stale-0")).isEqualTo("7");
    assertThat(log.writes("/pods/stale-0"))
        .containsExactly("PATCH /api/v1/namespaces/edge/pods/stale-0");
  }

  @Test
  void aPodWhoseOnlyStatusChangedIsMovedAfterOneFreshRead() {
    Pod seen = createOnRevision("churn-0", "4");
    OperatorHarness.kubelet(client, NS, "churn-0", OperatorHarness::notReady);

    PodMover.Result result = PodMover.pointAt(state, seen, 5, true);

    assertThat(result).isInstanceOf(PodMover.Result.Moved.class);
    assertThat(annotation("churn-0")).isEqualTo("5");
    Map<String, String> a =
        client.pods().inNamespace(NS).withName("churn-0").get().getMetadata().getAnnotations();
    assertThat(a).containsEntry(RolloutKeys.READY_AT_MOVE, "false");
    assertThat(log.writes("/pods/churn-0")).hasSize(2);
  }

  private Pod createOnRevision(String name, String revision) {
    Pod pod =
        RolloutFixtures.annotated(
            RolloutFixtures.pod(name, "node-a"),
            RolloutKeys.REVISION,
            revision,
            RolloutKeys.ROLLOUT,
            "bot-features");
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  private String annotation(String pod) {
    return OperatorHarness.revisionOf(client, NS, pod);
  }

  /** The operator's pod writes without the informers: straight to the API server. */
  static final class ApiCluster implements Cluster {
    private final KubernetesClient client;

    ApiCluster(KubernetesClient client) {
      this.client = client;
    }

    @Override
    public Pod patchPod(Pod pod, String mergePatch) throws Refused {
      try {
        return KubernetesCluster.patch(client, pod, mergePatch);
      } catch (KubernetesClientException e) {
        throw KubernetesCluster.refusal(e);
      }
    }

    @Override
    public Optional<Pod> freshPod(String namespace, String name) {
      return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
    }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Pod> pods(String namespace) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ConfigMap create(ConfigMap map) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ConfigMap update(ConfigMap map) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(ConfigMap map) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean rolloutExists(String namespace, String name) {
      return false;
    }

    @Override
    public boolean rolloutUnchanged(GuardedRollout read) {
      return true;
    }

    @Override
    public List<ConfigFreeze> freezes() {
      return List.of();
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
      return Map.of();
    }

    @Override
    public void event(GuardedRollout about, String type, String reason, String message) {}
  }
}
