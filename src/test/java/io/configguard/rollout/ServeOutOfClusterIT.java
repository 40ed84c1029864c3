package io.configguard.rollout;

import static io.configguard.rollout.RolloutFixtures.NS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.GuardedRollout;
import io.configguard.serve.ServeCommand;
import io.configguard.testing.MockCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Out-of-cluster mode: {@code configguard serve} finds its cluster through a kubeconfig file, as on
 * a developer's laptop, then runs the webhook and the operator against it.
 */
@QuarkusTest
@TestProfile(ServeOutOfClusterIT.Kubeconfig.class)
class ServeOutOfClusterIT {

  /** A profile of its own: the application boots with only a kubeconfig to find the cluster. */
  public static class Kubeconfig implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(KubeconfigCluster.class));
    }
  }

  /** A mock API server, announced to the app only through a kubeconfig file. */
  public static class KubeconfigCluster implements QuarkusTestResourceLifecycleManager {
    static MockCluster cluster;
    static Path kubeconfig;

    @Override
    public Map<String, String> start() {
      cluster = new MockCluster();
      try {
        kubeconfig = Files.createTempFile("configguard-kubeconfig", ".yaml");
        Files.writeString(
            kubeconfig,
            """
            apiVersion: v1
            kind: Config
            clusters:
              - name: mock
                cluster: {server: "http://localhost:%d"}
            users:
              - name: developer
                user: {token: laptop-token}
            contexts:
              - name: mock
                context: {cluster: mock, user: developer, namespace: %s}
            current-context: mock
            """
                .formatted(cluster.server.getPort(), NS));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      // The usual resolution: what KUBECONFIG names (the `kubeconfig` property takes precedence).
      // Another test class's mock server may have left a master URL behind, which would win.
      for (String leftover :
          List.of(
              Config.KUBERNETES_MASTER_SYSTEM_PROPERTY,
              Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY,
              Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY,
              "quarkus.kubernetes-client.api-server-url")) {
        System.clearProperty(leftover);
      }
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
      return Map.of();
    }

    @Override
    public void stop() {
      System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      cluster.close();
    }
  }

  @Inject KubernetesClient client;
  @Inject ServeCommand serve;

  @Test
  void serveWithAKubeconfigRunsTheWebhookAndTheOperator() throws Exception {
    assertThat(client.getConfiguration().getMasterUrl())
        .isEqualTo("http://localhost:" + KubeconfigCluster.cluster.server.getPort() + "/");
    // What `kubectl apply -f crds/` does before a developer runs serve.
    try (Stream<Path> crds = Files.list(Path.of("crds"))) {
      for (Path crd : crds.toList()) {
        try (InputStream in = Files.newInputStream(crd)) {
          client
              .resource(
                  client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
              .create();
        }
      }
    }
    client
        .load(
            new java.io.ByteArrayInputStream(
                """
                apiVersion: configguard.io/v1alpha1
                kind: ConfigPolicy
                metadata: {name: features, namespace: edge}
                spec:
                  match: {names: ["bot-features*"]}
                  rules:
                    - {name: features-file, key: features.json, format: json,
                       maxItems: {path: "$.features", max: 10}}
                """
                    .getBytes()))
        .create();

    Thread serving = new Thread(() -> call(serve), "configguard-serve");
    serving.setDaemon(true);
    serving.start();

    // The webhook enforces the cluster's policy, loaded through the informers.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                given()
                    .contentType("application/json")
                    .body(review(RolloutFixtures.features(11)))
                    .post("/validate")
                    .then()
                    .statusCode(200)
                    .body("response.allowed", org.hamcrest.Matchers.is(false))
                    .body(
                        "response.status.message",
                        org.hamcrest.Matchers.containsString("edge/features/features-file")));

    // The operator reconciles a GuardedRollout: the first revision becomes stable, the next is
    // staged through every step to Succeeded.
    for (int i = 0; i < 4; i++) {
      client.resource(RolloutFixtures.pod("edge-proxy-" + i, "node-" + (i % 2))).create();
    }
    client.resource(RolloutFixtures.source("bot-features", RolloutFixtures.features(3))).create();
    GuardedRollout rollout =
        RolloutFixtures.rollout("bot-features", "bot-features", 0, "1", "100%");
    rollout.getMetadata().setUid(null);
    rollout.getMetadata().setGeneration(null);
    client.resource(rollout).create();
    awaitPhase("Succeeded", 1L);

    client.resource(RolloutFixtures.source("bot-features", RolloutFixtures.features(4))).update();
    awaitPhase("Succeeded", 2L);
    assertThat(client.configMaps().inNamespace(NS).withName("bot-features-stable").get().getData())
        .containsEntry("configguard-revision", "2")
        .containsEntry("features.json", RolloutFixtures.features(4));
    assertThat(client.pods().inNamespace(NS).list().getItems())
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getAnnotations())
                    .containsEntry("configguard.io/revision", "2"));

    // Laptop mode: no Service in the cluster reaches this process, and no URL is configured, so
    // no ValidatingWebhookConfiguration was written (one with failurePolicy Fail would refuse
    // every write it selects, also after serve stops).
    assertThat(
            client.admissionRegistration().v1().validatingWebhookConfigurations().list().getItems())
        .isEmpty();
    assertThat(KubeconfigCluster.cluster.requests()).isNotEmpty();
    assertThat(KubeconfigCluster.cluster.requests())
        .noneMatch(r -> !r.startsWith("GET ") && r.contains("/validatingwebhookconfigurations"));
  }

  private void awaitPhase(String phase, long stableRevision) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                client
                    .resources(GuardedRollout.class)
                    .inNamespace(NS)
                    .withName("bot-features")
                    .get()
                    .getStatus(),
            s ->
                s != null
                    && phase.equals(String.valueOf(s.phase))
                    && Long.valueOf(stableRevision).equals(s.stableRevision));
  }

  private static void call(ServeCommand serve) {
    try {
      serve.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String review(String featuresJson) {
    String data = featuresJson.replace("\"", "\\\"");
    return """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "4b1c1e0e-5f0a-4a55-9d7e-0c1f3f6e2a10",
          "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
          "resource": {"group": "", "version": "v1", "resource": "configmaps"},
          "name": "bot-features", "namespace": "edge", "operation": "CREATE",
          "userInfo": {"username": "ci-generator"},
          "object": {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "bot-features", "namespace": "edge"},
            "data": {"features.json": "%s"}},
          "oldObject": null, "dryRun": false}}
        """
        .formatted(data);
  }
}
