package io.configguard.rollout;

import static org.awaitility.Awaitility.await;

import io.configguard.api.GuardedRollout;
import io.configguard.api.RolloutPhase;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.configguard.testing.Faults;
import io.configguard.testing.MockCluster;
import io.configguard.testing.RequestLog;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Runs the GuardedRollout operator as a plain JOSDK Operator against a {@link MockCluster}, and
 * plays kubelet and the config generator for the tests.
 */
final class OperatorHarness {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private OperatorHarness() {}

  /** A running operator with its own client, whose requests {@code log} records. */
  static Operator start(
      MockCluster cluster, RequestLog log, Consumer<ConfigurationServiceOverrider> more) {
    return start(cluster, log, new Faults(), more);
  }

  /** The same, with {@code faults} played on its requests before they are recorded. */
  static Operator start(
      MockCluster cluster,
      RequestLog log,
      Faults faults,
      Consumer<ConfigurationServiceOverrider> more) {
    // The faults come first, so a request they stop is not recorded as sent.
    KubernetesClient client = cluster.client(faults, log);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withCloseClientOnStop(true)
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(2));
              more.accept(o);
            });
    operator.register(
        new GuardedRolloutReconciler(
            new RolloutServices(
                new KubernetesPolicySource(client, new PolicyCompiler(Limits.DEFAULT)),
                new JdkHttpProbe(),
                new RolloutMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC(),
                new PodBatch(PodBatch.DEFAULT_PARALLELISM))));
    operator.start();
    return operator;
  }

  static void namespace(KubernetesClient client, String name, Map<String, String> labels) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  /** {@code count} Ready pods labelled app=edge-proxy, spread over {@code nodes} nodes. */
  static List<String> pods(
      KubernetesClient client, String ns, String prefix, int count, int nodes) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = prefix + "-" + i;
      Pod pod =
          new PodBuilder(RolloutFixtures.pod(name, "node-" + (i % nodes)))
              .editMetadata()
              .withNamespace(ns)
              .endMetadata()
              .build();
      client.pods().inNamespace(ns).resource(pod).create();
      names.add(name);
    }
    return names;
  }

  static ConfigMap source(KubernetesClient client, String ns, String name, String features) {
    ConfigMap map =
        new ConfigMapBuilder(RolloutFixtures.source(name, features))
            .editMetadata()
            .withNamespace(ns)
            .endMetadata()
            .build();
    return client.configMaps().inNamespace(ns).resource(map).createOr(c -> c.update());
  }

  static GuardedRollout rollout(
      KubernetesClient client, String ns, String name, int bake, String... steps) {
    GuardedRollout rollout = RolloutFixtures.rollout(name, name, bake, steps);
    rollout.getMetadata().setNamespace(ns);
    rollout.getMetadata().setUid(null);
    rollout.getMetadata().setGeneration(null);
    return client.resources(GuardedRollout.class).inNamespace(ns).resource(rollout).create();
  }

  static GuardedRollout get(KubernetesClient client, String ns, String name) {
    return client.resources(GuardedRollout.class).inNamespace(ns).withName(name).get();
  }

  static GuardedRollout editSpec(
      KubernetesClient client, String ns, String name, Consumer<GuardedRollout> change) {
    // The operator patches the status meanwhile: an edit that lost that race is made again.
    for (int attempt = 1; ; attempt++) {
      try {
        return client
            .resources(GuardedRollout.class)
            .inNamespace(ns)
            .withName(name)
            .edit(
                r -> {
                  change.accept(r);
                  return r;
                });
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Waits until the rollout's status satisfies {@code condition}; returns it. */
  static GuardedRollout awaitRollout(
      KubernetesClient client, String ns, String name, Predicate<GuardedRollout> condition) {
    return awaitRollout(client, ns, name, condition, TIMEOUT);
  }

  static GuardedRollout awaitRollout(
      KubernetesClient client,
      String ns,
      String name,
      Predicate<GuardedRollout> condition,
      Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> get(client, ns, name),
              r -> r != null && r.getStatus() != null && condition.test(r));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      GuardedRollout last = get(client, ns, name);
      throw new AssertionError(
          "GuardedRollout "
              + ns
              + "/"
              + name
              + " did not reach the expected state; last status:\n"
              + (last == null ? "none" : Serialization.asYaml(last.getStatus())),
          e);
    }
  }

  static GuardedRollout awaitPhase(
      KubernetesClient client, String ns, String name, RolloutPhase phase) {
    return awaitRollout(client, ns, name, r -> r.getStatus().phase == phase);
  }

  /** Plays kubelet: replaces the pod's status the way kubelet reports it. */
  static void kubelet(KubernetesClient client, String ns, String pod, UnaryOperator<Pod> change) {
    client.pods().inNamespace(ns).withName(pod).editStatus(change);
  }

  static Pod notReady(Pod pod) {
    pod.getStatus().getConditions().forEach(c -> c.setStatus("False"));
    pod.getStatus().getContainerStatuses().forEach(c -> c.setReady(false));
    return pod;
  }

  static Pod restarted(Pod pod) {
    pod.getStatus().getContainerStatuses().forEach(c -> c.setRestartCount(c.getRestartCount() + 1));
    return pod;
  }

  static String revisionOf(KubernetesClient client, String ns, String pod) {
    Map<String, String> a =
        client.pods().inNamespace(ns).withName(pod).get().getMetadata().getAnnotations();
    return a == null ? null : a.get(RolloutKeys.REVISION);
  }

  /** Waits until every one of {@code pods} points at one of {@code revisions} (null: none). */
  static void awaitPodsOn(
      KubernetesClient client, String ns, List<String> pods, String... revisions) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> RolloutInvariants.assertPodsOn(client, ns, pods, revisions));
  }

  static long configRevision(KubernetesClient client, String ns, String map) {
    return DerivedConfigMaps.revisionOf(client.configMaps().inNamespace(ns).withName(map).get())
        .orElse(-1);
  }

  /**
   * The reasons of the namespace's Events, oldest first (an aggregated Event counts once). An Event
   * is filed just after the status patch of its pass: this waits until no new one came for 300 ms.
   */
  static List<String> eventReasons(KubernetesClient client, String ns) {
    List<List<String>> last = new ArrayList<>();
    last.add(null);
    await()
        .atMost(TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              List<String> now = listEventReasons(client, ns);
              boolean settled = now.equals(last.get(0));
              last.set(0, now);
              return settled;
            });
    return last.get(0);
  }

  private static List<String> listEventReasons(KubernetesClient client, String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .sorted(
            java.util.Comparator.comparing(
                (io.fabric8.kubernetes.api.model.Event e) ->
                    java.time.Instant.parse(e.getFirstTimestamp())))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }
}
