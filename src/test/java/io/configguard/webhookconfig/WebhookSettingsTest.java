package io.configguard.webhookconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When configguard may write its ValidatingWebhookConfiguration, and how it knows it is in a pod.
 */
class WebhookSettingsTest {

  @ParameterizedTest(name = "KUBERNETES_SERVICE_HOST={0}, token={1}: in cluster {2}")
  @CsvSource({
    "10.96.0.1, true,  true",
    "10.96.0.1, false, false",
    "'',        true,  false",
    ",          true,  false",
    ",          false, false",
  })
  void inClusterMeansAPodWithItsServiceAccountToken(String host, boolean token, boolean in) {
    Map<String, String> env = host == null ? Map.of() : Map.of("KUBERNETES_SERVICE_HOST", host);
    assertThat(
            WebhookSettings.detectInCluster(
                env::get, p -> token && p.equals(WebhookSettings.SERVICE_ACCOUNT_TOKEN)))
        .isEqualTo(in);
  }

  static WebhookSettings settings(boolean manage, boolean inCluster, String url, boolean ca) {
    return new WebhookSettings(
        "configguard",
        5,
        "Fail",
        "configguard",
        List.of(),
        "configguard",
        "configguard",
        443,
        "/validate",
        Optional.ofNullable(url),
        ca ? Optional.of(Path.of("/etc/configguard/tls/ca.crt")) : Optional.empty(),
        Optional.empty(),
        Duration.ZERO,
        Duration.ofMinutes(5),
        manage,
        inCluster);
  }

  @ParameterizedTest(name = "manage={0} inCluster={1} url={2} ca={3}: {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        // In a pod of the chart: the Service, with its CA.
        "true  | true  |                          | true  | written",
        // A laptop with only a kubeconfig: the Service would not reach it.
        "true  | false |                          | true  | deploy/local/install.sh",
        "true  | false |                          | false | deploy/local/install.sh",
        // A laptop with a URL the API server can reach, and the CA that signed it.
        "true  | false | https://10.0.0.5:8443/v  | true  | written",
        // No CA bundle: the API server could not verify the certificate.
        "true  | false | https://10.0.0.5:8443/v  | false | configguard.tls.ca-file is unset",
        "true  | true  |                          | false | configguard.tls.ca-file is unset",
        // Switched off.
        "false | true  |                          | true  | configguard.webhook.manage=false",
      })
  void writtenOnlyWhereTheApiServerCanReachAndVerifyIt(
      boolean manage, boolean inCluster, String url, boolean ca, String expected) {
    Optional<String> why = settings(manage, inCluster, url, ca).whyNotWritten();
    if (expected.equals("written")) {
      assertThat(why).isEmpty();
    } else {
      assertThat(why).hasValueSatisfying(w -> assertThat(w).contains(expected));
    }
  }
}
