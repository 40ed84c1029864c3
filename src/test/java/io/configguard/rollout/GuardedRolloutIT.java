package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitPhase;
import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.configRevision;
import static io.configguard.rollout.OperatorHarness.eventReasons;
import static io.configguard.rollout.OperatorHarness.revisionOf;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.configguard.api.HealthCheck;
import io.configguard.api.HttpGetCheck;
import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator against the mock API server ({@link MockCluster}); the test plays kubelet and the
 * generator.
 */
class GuardedRolloutIT {
  static MockCluster cluster;
  static KubernetesClient client;
  static RequestLog log = new RequestLog();
  static Operator operator;

  @BeforeAll
  static void startOperator() {
    cluster = new MockCluster().withCrds();
    client = cluster.client;
    operator = OperatorHarness.start(cluster, log, o -> {});
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
    cluster.close();
  }

  @Test
  void aRevisionGoesThroughFourStepsToSucceeded() {
    String ns = "full";
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", 8, 3);
    source(client, ns, "bot-features", features(10));
    OperatorHarness.rollout(client, ns, "bot-features", 1, "1", "25%", "50%", "100%");
    GuardedRollout first = awaitPhase(client, ns, "bot-features", RolloutPhase.Succeeded);
    assertThat(first.getStatus().stableRevision).isEqualTo(1);
    assertThat(configRevision(client, ns, "bot-features-stable")).isEqualTo(1);
    assertThat(pods).allSatisfy(p -> assertThat(revisionOf(client, ns, p)).isNull());

    source(client, ns, "bot-features", features(12));
    awaitRollout(
        client,
        ns,
        "bot-features",
        r -> r.getStatus().currentStep != null && r.getStatus().currentStep == 2);
    assertThat(configRevision(client, ns, "bot-features-stable")).isEqualTo(1);
    assertThat(configRevision(client, ns, "bot-features-candidate")).isEqualTo(2);
    GuardedRollout done = awaitPhase(client, ns, "bot-features", RolloutPhase.Succeeded);

    assertThat(done.getStatus().stableRevision).isEqualTo(2);
    assertThat(done.getStatus().candidateRevision).isNull();
    assertThat(done.getStatus().history)
        .extracting(h -> h.outcome)
        .containsExactly(RolloutPhase.Succeeded, RolloutPhase.Succeeded);
    assertThat(configRevision(client, ns, "bot-features-stable")).isEqualTo(2);
    assertThat(client.configMaps().inNamespace(ns).withName("bot-features-stable").get().getData())
        .containsEntry("features.json", features(12));
    assertThat(pods).allSatisfy(p -> assertThat(revisionOf(client, ns, p)).isEqualTo("2"));
    assertThat(log.writes("/namespaces/" + ns + "/pods/")).hasSize(8);
    assertThat(eventReasons(client, ns))
        .containsSubsequence(
            "NewRevision",
            "Staged",
            "StepStarted",
            "StepPassed",
            "StepStarted",
            "StepPassed",
            "StepStarted",
            "StepPassed",
            "StepStarted",
            "StepPassed",
            "Promoted");
    assertThat(done.getStatus().conditions)
        .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
  }

  static final String NAME = "bot-features";

  /** A namespace with {@code count} pods whose first revision (10 features) is already stable. */
  static List<String> stableRollout(String ns, int count, int bake, String... steps) {
    OperatorHarness.namespace(client, ns, Map.of("team", ns));
    List<String> pods = OperatorHarness.pods(client, ns, "proxy", count, 2);
    source(client, ns, NAME, features(10));
    OperatorHarness.rollout(client, ns, NAME, bake, steps);
    awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
    return pods;
  }

  static GuardedRollout awaitMoved(String ns, int pods) {
    return awaitRollout(
        client,
        ns,
        NAME,
        r ->
            r.getStatus().phase == RolloutPhase.Progressing
                && r.getStatus().updatedPods != null
                && r.getStatus().updatedPods >= pods);
  }

  static String firstOn(String ns, List<String> pods, String revision) {
    return pods.stream()
        .filter(p -> revision.equals(revisionOf(client, ns, p)))
        .findFirst()
        .orElseThrow();
  }

  static int podWrites(String ns) {
    return log.writes("/namespaces/" + ns + "/pods/").size();
  }

  /** Asserts that for a while (longer than any bake here) nothing moves. */
  static void staysPut(String ns, RolloutPhase phase, int updatedPods) {
    int writes = podWrites(ns);
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> OperatorHarness.get(client, ns, NAME),
            r ->
                r.getStatus().phase == phase
                    && r.getStatus().updatedPods == updatedPods
                    && podWrites(ns) == writes);
  }

  static void configPolicy(String ns, int maxFeatures) {
    client
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: configguard.io/v1alpha1
                kind: ConfigPolicy
                metadata: {name: feature-limit, namespace: %s}
                spec:
                  enforcement: Deny
                  match: {names: ["bot-features*"]}
                  rules:
                    - name: size
                      key: features.json
                      format: json
                      maxItems: {path: "$.features", max: %d}
                """
                    .formatted(ns, maxFeatures),
                ConfigPolicy.class))
        .create();
  }

  @Test
  void contentWrittenDuringARolloutIsShippedAfterIt() {
    String ns = "inflight";
    stableRollout(ns, 3, 1, "1", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    source(client, ns, NAME, features(14));
    GuardedRollout r =
        awaitRollout(client, ns, NAME, g -> Long.valueOf(3).equals(g.getStatus().stableRevision));
    assertThat(r.getStatus().history)
        .extracting(h -> h.revision + " " + h.outcome)
        .containsExactly("1 Succeeded", "2 Succeeded", "3 Succeeded");
    assertThat(client.configMaps().inNamespace(ns).withName(NAME + "-stable").get().getData())
        .containsEntry("features.json", features(14));
  }

  @Test
  void withARevisionHeaderEachBakeWaitsUntilPodsServeTheCandidate() throws Exception {
    String ns = "header";
    // The pods' IPs are all 127.0.0.1 here; this server answers for every one of them.
    AtomicReference<String> serving = new AtomicReference<>("1");
    AtomicInteger status = new AtomicInteger(200);
    HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    health.createContext(
        "/healthz",
        exchange -> {
          exchange.getResponseHeaders().add("X-Config-Revision", serving.get());
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    health.start();
    try {
      OperatorHarness.namespace(client, ns, Map.of("team", ns));
      List<String> pods = OperatorHarness.pods(client, ns, "proxy", 3, 2);
      for (String p : pods) {
        OperatorHarness.kubelet(
            client,
            ns,
            p,
            pod -> {
              pod.getStatus().setPodIP("127.0.0.1");
              return pod;
            });
      }
      source(client, ns, NAME, features(10));
      GuardedRollout rollout = RolloutFixtures.rollout(NAME, NAME, 1, "1", "100%");
      rollout.getMetadata().setNamespace(ns);
      rollout.getMetadata().setUid(null);
      rollout.getMetadata().setGeneration(null);
      rollout.getSpec().healthCheck = new HealthCheck();
      rollout.getSpec().healthCheck.httpGet = new HttpGetCheck();
      rollout.getSpec().healthCheck.httpGet.port = health.getAddress().getPort();
      rollout.getSpec().healthCheck.httpGet.path = "/healthz";
      rollout.getSpec().healthCheck.httpGet.revisionHeader = "X-Config-Revision";
      client.resource(rollout).create();
      awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);

      source(client, ns, NAME, features(12));
      GuardedRollout loading =
          awaitRollout(
              client,
              ns,
              NAME,
              g -> g.getStatus().message.contains("waiting for 1 pods to report"));
      assertThat(loading.getStatus().bakeStartedAt).isNull();
      serving.set("2");
      assertThat(awaitPhase(client, ns, NAME, RolloutPhase.Succeeded).getStatus().stableRevision)
          .isEqualTo(2);

      // A failing health endpoint rolls the next revision back.
      status.set(503);
      source(client, ns, NAME, features(14));
      GuardedRollout back = awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);
      assertThat(back.getStatus().failedRevisions.get(0).reason).contains("GET /healthz: 503");
    } finally {
      health.stop(0);
    }
  }

  @Test
  void aPodTurningNotReadyDuringBakeRollsTheRevisionBack() {
    String ns = "notready";
    List<String> pods = stableRollout(ns, 4, 3, "1", "50%", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    String moved = firstOn(ns, pods, "2");
    OperatorHarness.kubelet(client, ns, moved, OperatorHarness::notReady);

    GuardedRollout r = awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);
    assertThat(r.getStatus().failedRevisions)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.revision).isEqualTo(2);
              assertThat(f.reason).contains(moved + " not Ready");
            });
    OperatorHarness.awaitPodsOn(client, ns, pods, "1", null);
    assertThat(revisionOf(client, ns, moved)).isEqualTo("1");
    assertThat(configRevision(client, ns, NAME + "-stable")).isEqualTo(1);
    assertThat(client.configMaps().inNamespace(ns).withName(NAME + "-stable").get().getData())
        .containsEntry("features.json", features(10));
    assertThat(eventReasons(client, ns)).contains("RolledBack");
    assertThat(r.getStatus().conditions)
        .anySatisfy(
            c ->
                assertThat(c.getType() + c.getStatus() + c.getReason())
                    .isEqualTo("DegradedTrueRolledBack"));
  }

  @Test
  void aRestartCountGrowingDuringBakeRollsTheRevisionBack() {
    String ns = "restarts";
    List<String> pods = stableRollout(ns, 4, 3, "1", "50%", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    String moved = firstOn(ns, pods, "2");
    OperatorHarness.kubelet(client, ns, moved, OperatorHarness::restarted);

    GuardedRollout r = awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);
    assertThat(r.getStatus().failedRevisions.get(0).reason).contains(moved + " restarts 0→1");
    OperatorHarness.awaitPodsOn(client, ns, List.of(moved), "1");
  }

  @Test
  void theSameBadContentWrittenAgainStartsNoNewRollout() {
    String ns = "again";
    List<String> pods = stableRollout(ns, 3, 3, "1", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    OperatorHarness.kubelet(client, ns, firstOn(ns, pods, "2"), OperatorHarness::restarted);
    awaitPhase(client, ns, NAME, RolloutPhase.RolledBack);

    // The generator goes back to the old content, then writes the bad content again.
    source(client, ns, NAME, features(10));
    awaitRollout(client, ns, NAME, g -> g.getStatus().stableHash.equals(g.getStatus().sourceHash));
    source(client, ns, NAME, features(12));
    int writes = podWrites(ns);
    GuardedRollout r =
        awaitRollout(
            client, ns, NAME, g -> g.getStatus().message.contains("is not attempted again"));
    staysPut(ns, RolloutPhase.RolledBack, 0);
    r = OperatorHarness.get(client, ns, NAME);
    assertThat(r.getStatus().latestRevision).isEqualTo(2);
    assertThat(r.getStatus().candidateRevision).isNull();
    assertThat(podWrites(ns)).isEqualTo(writes);
    assertThat(eventReasons(client, ns)).containsOnlyOnce("RevisionSkipped");
    assertThat(eventReasons(client, ns).stream().filter("NewRevision"::equals)).hasSize(2);
  }

  @Test
  void aPolicyViolationFailsTheRevisionWithNoPodTouched() {
    String ns = "policy";
    stableRollout(ns, 3, 0, "1", "100%");
    configPolicy(ns, 20);
    int writes = podWrites(ns);
    source(client, ns, NAME, features(25));

    GuardedRollout r = awaitPhase(client, ns, NAME, RolloutPhase.Failed);
    assertThat(r.getStatus().failedRevisions)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.revision).isEqualTo(2);
              assertThat(f.reason).startsWith("pre-flight: policy/feature-limit/size");
            });
    assertThat(podWrites(ns)).isEqualTo(writes);
    assertThat(log.writes("/namespaces/" + ns + "/configmaps/")).isEmpty();
    assertThat(configRevision(client, ns, NAME + "-candidate")).isEqualTo(1);
    assertThat(eventReasons(client, ns)).contains("PreflightFailed");
  }

  @Test
  void theCircuitOpensAfterThreeFailedRevisionsUntilTheSpecChanges() {
    String ns = "circuit";
    stableRollout(ns, 2, 0, "1", "100%");
    configPolicy(ns, 20);
    for (int i = 1; i <= 3; i++) {
      int failures = i;
      source(client, ns, NAME, features(20 + i));
      awaitRollout(client, ns, NAME, g -> g.getStatus().failedRevisions.size() == failures);
    }
    GuardedRollout open = OperatorHarness.get(client, ns, NAME);
    assertThat(open.getStatus().consecutiveFailures).isEqualTo(3);
    assertThat(open.getStatus().conditions)
        .anySatisfy(
            c ->
                assertThat(c.getType() + c.getStatus() + c.getReason())
                    .isEqualTo("DegradedTrueCircuitOpen"));

    source(client, ns, NAME, features(15));
    awaitRollout(client, ns, NAME, g -> g.getStatus().message.startsWith("circuit open after 3"));
    assertThat(OperatorHarness.get(client, ns, NAME).getStatus().latestRevision).isEqualTo(4);

    OperatorHarness.editSpec(client, ns, NAME, g -> g.getSpec().strategy.maxFailedRevisions = 4);
    GuardedRollout closed = awaitPhase(client, ns, NAME, RolloutPhase.Succeeded);
    assertThat(closed.getStatus().stableRevision).isEqualTo(5);
    assertThat(closed.getStatus().circuitOpenGeneration).isNull();
    assertThat(eventReasons(client, ns)).contains("CircuitOpen", "CircuitClosed");
  }

  @Test
  void pauseHoldsWhereItIsUntilResumed() {
    String ns = "pause";
    stableRollout(ns, 4, 1, "1", "50%", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    OperatorHarness.editSpec(client, ns, NAME, g -> g.getSpec().paused = true);
    GuardedRollout paused = awaitPhase(client, ns, NAME, RolloutPhase.Paused);
    staysPut(ns, RolloutPhase.Paused, paused.getStatus().updatedPods);
    assertThat(paused.getStatus().conditions)
        .anySatisfy(c -> assertThat(c.getType() + c.getStatus()).isEqualTo("ProgressingFalse"));

    OperatorHarness.editSpec(client, ns, NAME, g -> g.getSpec().paused = false);
    assertThat(awaitPhase(client, ns, NAME, RolloutPhase.Succeeded).getStatus().stableRevision)
        .isEqualTo(2);
  }

  @Test
  void abortPointsEveryCandidatePodBackAtStable() {
    String ns = "abort";
    List<String> pods = stableRollout(ns, 4, 3, "1", "50%", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    OperatorHarness.editSpec(client, ns, NAME, g -> g.getSpec().abort = true);

    GuardedRollout r = awaitPhase(client, ns, NAME, RolloutPhase.Aborted);
    OperatorHarness.awaitPodsOn(client, ns, pods, "1", null);
    assertThat(r.getStatus().failedRevisions.get(0).reason)
        .isEqualTo("aborted: spec.abort is true");
    assertThat(configRevision(client, ns, NAME + "-stable")).isEqualTo(1);

    // Clearing abort does not push the aborted content again.
    OperatorHarness.editSpec(client, ns, NAME, g -> g.getSpec().abort = false);
    awaitRollout(client, ns, NAME, g -> g.getStatus().observedGeneration == 3);
    staysPut(ns, RolloutPhase.Aborted, 0);
    assertThat(OperatorHarness.get(client, ns, NAME).getStatus().latestRevision).isEqualTo(2);
  }

  @Test
  void aConfigFreezeHaltsTheRolloutUntilLifted() {
    String ns = "freeze";
    stableRollout(ns, 4, 1, "1", "50%", "100%");
    source(client, ns, NAME, features(12));
    awaitMoved(ns, 1);
    ConfigFreeze freeze =
        Serialization.unmarshal(
            """
            apiVersion: configguard.io/v1alpha1
            kind: ConfigFreeze
            metadata: {name: incident-7}
            spec:
              namespaceSelector: {matchLabels: {team: freeze}}
              reason: INC-7 edge outage
            """,
            ConfigFreeze.class);
    client.resource(freeze).create();

    GuardedRollout frozen = awaitPhase(client, ns, NAME, RolloutPhase.Frozen);
    assertThat(frozen.getStatus().frozenBy).isEqualTo("incident-7");
    assertThat(frozen.getStatus().heldFrom).isEqualTo(RolloutPhase.Progressing);
    assertThat(frozen.getStatus().message).contains("INC-7 edge outage");
    staysPut(ns, RolloutPhase.Frozen, frozen.getStatus().updatedPods);
    assertThat(eventReasons(client, ns)).contains("Frozen");

    client.resource(freeze).delete();
    assertThat(awaitPhase(client, ns, NAME, RolloutPhase.Succeeded).getStatus().stableRevision)
        .isEqualTo(2);
  }

  @Test
  void aSecondRolloutOverTheSamePodsGoesToConflict() {
    String ns = "conflict";
    List<String> pods = stableRollout(ns, 3, 0, "1", "100%");
    source(client, ns, NAME, features(12));
    awaitRollout(client, ns, NAME, g -> Long.valueOf(2).equals(g.getStatus().stableRevision));

    source(client, ns, "edge-routes", features(3));
    OperatorHarness.rollout(client, ns, "edge-routes", 0, "1", "100%");
    awaitPhase(client, ns, "edge-routes", RolloutPhase.Succeeded);
    source(client, ns, "edge-routes", features(4));
    GuardedRollout second = awaitPhase(client, ns, "edge-routes", RolloutPhase.Conflict);

    assertThat(second.getStatus().conflictsWith).isEqualTo(NAME);
    assertThat(second.getStatus().message).contains("is claimed by GuardedRollout " + NAME);
    assertThat(pods)
        .allSatisfy(
            p ->
                assertThat(
                        client
                            .pods()
                            .inNamespace(ns)
                            .withName(p)
                            .get()
                            .getMetadata()
                            .getAnnotations())
                    .containsEntry(RolloutKeys.ROLLOUT, NAME)
                    .containsEntry(RolloutKeys.REVISION, "2"));
    assertThat(eventReasons(client, ns)).contains("Conflict");
  }

  @Test
  void theExampleManifestsApplyAndTheirFirstRevisionShips() throws Exception {
    List<HasMetadata> applied = new ArrayList<>();
    try (var files = Files.list(Path.of("deploy/examples/guarded-rollout"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata item : client.load(in).items()) {
            applied.add(client.resource(item).create());
          }
        }
      }
    }
    assertThat(applied)
        .extracting(HasMetadata::getKind)
        .containsExactly(
            "Namespace", "ConfigMap", "ConfigPolicy", "GuardedRollout", "ConfigMap", "Deployment");
    GuardedRollout rollout =
        client.getKubernetesSerialization().convertValue(applied.get(3), GuardedRollout.class);
    assertThat(SpecCheck.errors(rollout.getSpec())).isEmpty();
    Deployment deployment = (Deployment) applied.get(5);
    assertThat(
            io.configguard.policy.LabelSelector.of(rollout.getSpec().selector)
                .matches(deployment.getSpec().getTemplate().getMetadata().getLabels()))
        .isTrue();
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getConfigMap() == null ? v.getName() : v.getConfigMap().getName())
        .contains("pod-info", "bot-features-stable", "bot-features-candidate");
    assertThat(Serialization.asJson(deployment))
        .contains("metadata.annotations['configguard.io/revision']");

    // The mock runs no controllers: play the Deployment's ReplicaSet for two pods.
    for (int i = 0; i < 2; i++) {
      Pod pod = RolloutFixtures.pod("edge-proxy-" + i, "node-" + i);
      pod.getMetadata().setNamespace("edge");
      pod.getMetadata().setLabels(deployment.getSpec().getTemplate().getMetadata().getLabels());
      pod.setSpec(deployment.getSpec().getTemplate().getSpec());
      client.resource(pod).create();
    }
    GuardedRollout shipped = awaitPhase(client, "edge", "bot-features", RolloutPhase.Succeeded);
    assertThat(shipped.getStatus().stableRevision).isEqualTo(1);
    assertThat(configRevision(client, "edge", "bot-features-stable")).isEqualTo(1);
    assertThat(configRevision(client, "edge", "bot-features-candidate")).isEqualTo(1);
    assertThat(
            client.configMaps().inNamespace("edge").withName("bot-features-stable").get().getData())
        .containsEntry(
            "features.json",
            client
                .configMaps()
                .inNamespace("edge")
                .withName("bot-features")
                .get()
                .getData()
                .get("features.json"));
  }
}
