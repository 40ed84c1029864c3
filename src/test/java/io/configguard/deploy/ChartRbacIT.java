package io.configguard.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.GuardedRollout;
import io.configguard.serve.ServeCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is enough for everything configguard does. The mock server enforces no RBAC, so
 * this runs the application as the chart runs it (the Deployment's environment as configuration,
 * leader election on, the chart's namespace and ServiceAccount) against a mock API server that
 * records every request the application's client sends, drives the scenarios (webhook, policy
 * status and audit, webhook configuration sync, a GuardedRollout through two revisions with Events,
 * leader election with lease renewals), and checks each request against the Roles, ClusterRoles and
 * bindings rendered from the chart by {@link ChartRbac}. A real API server had refused the lease
 * renewals ("cannot patch resource leases"), which no mock-based test saw.
 */
@QuarkusTest
@TestProfile(ChartRbacIT.AsTheChartRunsIt.class)
class ChartRbacIT {
  static final String SERVICE_ACCOUNT = "configguard";
  // The mock logs every request at INFO; keep the reference so the level sticks.
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  static final String APP_TOKEN = "configguard-serviceaccount-token";
  static final String ADMIN_TOKEN = "cluster-admin-token";
  static final String NS = "edge";

  /** The chart's rendered objects with default values, shared by the profile and the test. */
  static final List<HasMetadata> CHART = ChartTest.objects(ChartTest.render(c -> c));

  static final ChartRbac RBAC = new ChartRbac(CHART, ChartTest.NAMESPACE, SERVICE_ACCOUNT);

  /** The Deployment's environment as configuration; leader election on as in prod. */
  public static class AsTheChartRunsIt implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new LinkedHashMap<>();
      Set<String> keys = ConfigKeys.readByApplication();
      for (var env : ChartEnvTest.chartEnv(c -> c)) {
        if (env.getValue() == null || env.getName().startsWith("CONFIGGUARD_TLS_")) {
          continue; // downward API values; certificate files exist only in the pod
        }
        ConfigKeys.keyOf(env.getName(), keys).ifPresent(k -> config.put(k, env.getValue()));
      }
      config.put("POD_NAMESPACE", ChartTest.NAMESPACE);
      // Soon enough to be seen in the test: the audit's first pass and the webhook sync.
      config.put("configguard.audit.interval", "3s");
      config.put("configguard.webhook.debounce", "200ms");
      // As in the pod: in cluster, with the CA of the serving certificate, so the operator
      // writes its webhook configuration (out of cluster it writes none).
      config.put("configguard.webhook.in-cluster", "true");
      config.put("configguard.tls.ca-file", caFile());
      // As in prod: leader election on; the CRDs are installed by the chart, not by the app
      // (the test profile's crd.apply would add CRD updates no installation makes).
      config.put("quarkus.operator-sdk.activate-leader-election-for-profiles", "test");
      config.put("quarkus.operator-sdk.crd.apply", "false");
      return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(RecordingCluster.class));
    }
  }

  /** A CRUD mock API server that records the application's requests and answers its SSRR. */
  public static class RecordingCluster implements QuarkusTestResourceLifecycleManager {
    static KubernetesMockServer server;
    static final List<String[]> requests = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
      KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
      Dispatcher recording =
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String auth = request.getHeader("Authorization");
              if (auth != null && auth.endsWith(APP_TOKEN)) {
                requests.add(new String[] {request.getMethod(), request.getPath()});
              }
              if ("POST".equals(request.getMethod())
                  && request
                      .getPath()
                      .startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
                return selfSubjectRulesReview(request.getBody().readUtf8());
              }
              return crud.dispatch(request);
            }
          };
      server =
          new KubernetesMockServer(
              new io.fabric8.mockwebserver.Context(),
              new MockWebServer(),
              new HashMap<>(),
              recording,
              false);
      server.init();
      try {
        Path kubeconfig = Files.createTempFile("configguard-rbac-kubeconfig", ".yaml");
        Files.writeString(
            kubeconfig,
            """
            apiVersion: v1
            kind: Config
            clusters:
              - name: mock
                cluster: {server: "http://localhost:%d"}
            users:
              - name: configguard
                user: {token: %s}
            contexts:
              - name: mock
                context: {cluster: mock, user: configguard, namespace: %s}
            current-context: mock
            """
                .formatted(server.getPort(), APP_TOKEN, ChartTest.NAMESPACE));
        for (String leftover :
            List.of(
                Config.KUBERNETES_MASTER_SYSTEM_PROPERTY,
                Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY,
                Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY,
                "quarkus.kubernetes-client.api-server-url")) {
          System.clearProperty(leftover);
        }
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return Map.of();
    }

    /** What the API server answers: the chart's rules in force in the namespace asked about. */
    static MockResponse selfSubjectRulesReview(String body) {
      String namespace;
      try {
        JsonNode spec = new ObjectMapper().readTree(body).path("spec");
        namespace = spec.path("namespace").asText("");
      } catch (IOException e) {
        namespace = "";
      }
      SelfSubjectRulesReviewBuilder review = new SelfSubjectRulesReviewBuilder();
      var status = review.withNewStatus().withIncomplete(false);
      for (PolicyRule rule : RBAC.rulesIn(namespace)) {
        status.addToResourceRules(
            new ResourceRuleBuilder()
                .withApiGroups(rule.getApiGroups())
                .withResources(rule.getResources())
                .withVerbs(rule.getVerbs())
                .withResourceNames(rule.getResourceNames())
                .build());
      }
      status.endStatus();
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review.build()));
    }

    @Override
    public void stop() {
      System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      server.destroy();
    }
  }

  @Inject ServeCommand serve;

  @Test
  void everyRequestTheApplicationMakesIsAllowedByTheChartsRbac() throws Exception {
    KubernetesClient admin =
        RecordingCluster.server.createClient(
            b -> b.editOrNewConfig().withOauthToken(ADMIN_TOKEN).withNamespace(NS).endConfig());
    // kubectl apply -f crds/ and the user's objects, as a cluster admin.
    try (Stream<Path> crds = Files.list(Path.of("crds"))) {
      for (Path crd : crds.sorted().toList()) {
        try (InputStream in = Files.newInputStream(crd)) {
          admin
              .resource(
                  admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
              .create();
        }
      }
    }
    // helm install: the chart's namespace, ServiceAccount and RBAC objects exist.
    admin
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(ChartTest.NAMESPACE)
                .endMetadata()
                .build())
        .create();
    for (HasMetadata o : CHART) {
      if (o.getKind().contains("Role") || o.getKind().equals("ServiceAccount")) {
        admin.resource(o).create();
      }
    }
    apply(admin, Files.readString(Path.of("deploy/examples/guarded-rollout/00-namespace.yaml")));
    apply(admin, Files.readString(Path.of("deploy/examples/guarded-rollout/20-policy.yaml")));
    apply(admin, Files.readString(Path.of("deploy/examples/policies/bot-features.yaml")));
    apply(
        admin,
        """
        apiVersion: configguard.io/v1alpha1
        kind: ConfigFreeze
        metadata: {name: payments-freeze}
        spec:
          reason: "a freeze elsewhere: the operator watches freezes and namespaces"
          namespaceSelector: {matchLabels: {tier: payments}}
        """);
    for (int i = 0; i < 3; i++) {
      apply(admin, pod("edge-proxy-" + i));
    }
    apply(admin, source(1));
    apply(
        admin,
        """
        apiVersion: configguard.io/v1alpha1
        kind: GuardedRollout
        metadata: {name: bot-features, namespace: edge}
        spec:
          sourceRef: {name: bot-features}
          selector: {matchLabels: {app: edge-proxy}}
          strategy: {steps: ["1", "100%"], bakeSeconds: 0}
        """);

    Thread serving =
        new Thread(
            () -> {
              try {
                serve.call();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "configguard-serve");
    serving.setDaemon(true);
    serving.start();

    // Webhook: a review judged against the cluster's policies.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                given()
                    .contentType("application/json")
                    .body(
                        Files.readString(
                            Path.of("deploy/examples/admission/bad-bot-features.json")))
                    .post("/validate")
                    .then()
                    .statusCode(200)
                    .body("response.allowed", org.hamcrest.Matchers.is(false)));
    // Operator: the first revision becomes stable, the second goes through both steps.
    awaitStable(admin, 1);
    admin
        .configMaps()
        .inNamespace(NS)
        .resource(
            admin
                .getKubernetesSerialization()
                .unmarshal(source(2), io.fabric8.kubernetes.api.model.ConfigMap.class))
        .update();
    awaitStable(admin, 2);
    // Deleting the rollout: its finalizer deletes -candidate and releases -stable.
    admin.resources(GuardedRollout.class).inNamespace(NS).withName("bot-features").delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                admin.resources(GuardedRollout.class).inNamespace(NS).withName("bot-features").get()
                    == null);
    // Leader election renewed its Lease, the webhook configuration was written, Events were sent.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(requested())
                    .extracting(ChartRbac.Attributes::toString)
                    .anyMatch(r -> r.startsWith("patch coordination.k8s.io leases in configguard"))
                    .anyMatch(r -> r.startsWith("create core events"))
                    .anyMatch(r -> r.startsWith("patch core pods in edge"))
                    .anyMatch(r -> r.startsWith("delete core configmaps in edge"))
                    .anyMatch(
                        r ->
                            r.startsWith(
                                    "create admissionregistration.k8s.io"
                                        + " validatingwebhookconfigurations")
                                || r.startsWith(
                                    "update admissionregistration.k8s.io"
                                        + " validatingwebhookconfigurations"))
                    .anyMatch(r -> r.contains("configpolicies/status"))
                    .anyMatch(r -> r.startsWith("list core configmaps")));

    // For cross-checks with a real authorizer (kubectl auth can-i): one request per line,
    // method, path, verb, group, resource, subresource, namespace, name, this evaluator's verdict.
    List<String> lines = new ArrayList<>();
    for (String[] r : RecordingCluster.requests) {
      ChartRbac.Attributes a = ChartRbac.attributes(r[0], r[1]);
      lines.add(
          String.join(
              "\t",
              r[0],
              r[1],
              a == null
                  ? "non-resource"
                  : String.join(
                      "\t",
                      a.verb(),
                      a.group(),
                      a.resource(),
                      a.subresource(),
                      a.namespace(),
                      a.name(),
                      RBAC.allows(a) ? "allowed" : "denied")));
    }
    Files.write(Path.of("target/chart-rbac-requests.txt"), lines);
    Set<String> denied = new TreeSet<>();
    Set<String> allowed = new TreeSet<>();
    for (ChartRbac.Attributes a : requested()) {
      (RBAC.allows(a) ? allowed : denied)
          .add(a.unnamed().toString() + (a.name().isEmpty() ? "" : " (named)"));
    }
    assertThat(denied)
        .as(
            "requests configguard made that the chart's RBAC forbids (allowed: %s); fix"
                + " helm/configguard/templates/rbac.yaml and regenerate deploy/configguard.yaml",
            allowed)
        .isEmpty();
  }

  /** A CA bundle file for the webhook configuration (its content is not checked here). */
  static String caFile() {
    try {
      java.nio.file.Path ca = java.nio.file.Files.createTempFile("configguard-ca", ".crt");
      java.nio.file.Files.writeString(
          ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      ca.toFile().deleteOnExit();
      return ca.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every resource request the application sent (discovery and /version need no RBAC rule). */
  static List<ChartRbac.Attributes> requested() {
    List<ChartRbac.Attributes> out = new ArrayList<>();
    for (String[] r : RecordingCluster.requests) {
      ChartRbac.Attributes a = ChartRbac.attributes(r[0], r[1]);
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  private static void awaitStable(KubernetesClient admin, long revision) {
    try {
      awaitStableOrThrow(admin, revision);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      GuardedRollout last =
          admin.resources(GuardedRollout.class).inNamespace(NS).withName("bot-features").get();
      throw new AssertionError(
          "no stable revision " + revision + "; last status:\n" + Serialization.asYaml(last), e);
    }
  }

  private static void awaitStableOrThrow(KubernetesClient admin, long revision) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                admin
                    .resources(GuardedRollout.class)
                    .inNamespace(NS)
                    .withName("bot-features")
                    .get()
                    .getStatus(),
            s ->
                s != null
                    && "Succeeded".equals(String.valueOf(s.phase))
                    && Long.valueOf(revision).equals(s.stableRevision));
  }

  private static void apply(KubernetesClient admin, String yaml) {
    admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).createOrReplace();
  }

  static String pod(String name) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: edge, labels: {app: edge-proxy}}
        spec:
          nodeName: node-1
          containers: [{name: proxy, image: busybox:1.36}]
        status:
          phase: Running
          podIP: 10.0.0.7
          conditions: [{type: Ready, status: "True"}]
          containerStatuses: [{name: proxy, ready: true, restartCount: 0, image: busybox:1.36, imageID: "", started: true}]
        """
        .formatted(name);
  }

  /** The example source (revision 1), or its next version with one weight changed. */
  static String source(int revision) {
    try {
      String example =
          Files.readString(Path.of("deploy/examples/guarded-rollout/10-source-configmap.yaml"));
      return revision == 1
          ? example
          : example
              .replace("\"version\": 1", "\"version\": " + revision)
              .replace("\"weight\": 0.2", "\"weight\": 0.3");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
