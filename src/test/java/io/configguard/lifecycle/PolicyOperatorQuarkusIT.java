package io.configguard.lifecycle;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.testing.Policies;
import io.configguard.webhookconfig.WebhookSyncIT;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle as the application runs it: the reconcilers are CDI beans the operator extension
 * registers, configured from configguard.* properties, with the gauge on /q/metrics.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PolicyOperatorQuarkusIT.InCluster.class)
class PolicyOperatorQuarkusIT {
  /**
   * As in a pod of the chart: the in-cluster rule holds and the CA bundle is there, so the operator
   * writes the configuration in service mode (the test JVM has no service-account token: the
   * detection is overridden).
   */
  public static class InCluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "configguard.webhook.in-cluster",
          "true",
          "configguard.tls.ca-file",
          WebhookSyncIT.caFile().toString());
    }
  }

  @Inject KubernetesClient client;
  @Inject Operator operator;

  @Test
  void theOperatorReconcilesPoliciesKeepsTheWebhookAndExportsViolations() {
    // The serve command starts the operator itself (quarkus-picocli owns main); do the same.
    if (!operator.getRuntimeInfo().isStarted()) {
      operator.start();
    }
    assertThat(operator.getRegisteredControllers())
        .extracting(c -> c.getConfiguration().getName())
        .contains("configpolicy", "clusterconfigpolicy");

    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("team-a")
                .withName("too-many-keys")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "2")
                .build())
        .create();
    client
        .resource(Policies.cluster("quarkus-keys", "{rules: [{name: keys, maxKeys: 1}]}"))
        .create();

    var status =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    client
                        .resources(ClusterConfigPolicy.class)
                        .withName("quarkus-keys")
                        .get()
                        .getStatus(),
                s -> s != null && s.audit != null);
    assertThat(status.conditions)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    assertThat(status.audit.violationCount).isEqualTo(1);

    var webhook =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    client
                        .admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName("configguard")
                        .get(),
                v ->
                    v != null
                        && v.getWebhooks().get(0).getRules().stream()
                            .anyMatch(r -> r.getResources().contains("configmaps")));
    assertThat(webhook.getWebhooks().get(0).getClientConfig().getService().getPath())
        .isEqualTo("/validate");

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics).contains("configguard_policy_violations{policy=\"quarkus-keys\"} 1.0");
  }
}
