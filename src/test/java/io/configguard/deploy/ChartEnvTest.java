package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every environment variable the chart's Deployment sets is read by someone: a configuration key of
 * configguard (MicroProfile Config's env form: upper case, every other character to _), Quarkus's
 * own configuration, or the container's Java launcher. A setting nobody reads is a setting that
 * silently does nothing (CONFIGGUARD_LEADER_ELECTION_NAMESPACE did).
 */
class ChartEnvTest {
  /** Variables read outside configguard's configuration, and by whom. */
  static final Map<String, String> READ_ELSEWHERE =
      Map.of(
          "JAVA_OPTS_APPEND",
          "the image's Java launcher (run-java.sh) appends it to the JVM options",
          "MALLOC_ARENA_MAX",
          "glibc's malloc reads it when the process starts");

  static List<EnvVar> chartEnv(
      java.util.function.UnaryOperator<com.marcnuri.helm.TemplateCommand> values) {
    Deployment deployment =
        ChartTest.ofType(ChartTest.objects(ChartTest.render(values)), Deployment.class).get(0);
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
  }

  @Test
  void everyVariableTheChartSetsIsAKeyTheApplicationReads() {
    Set<String> keys = ConfigKeys.readByApplication();
    assertThat(keys)
        .as("the key scan finds the application's settings")
        .contains(
            "configguard.webhook.name",
            "configguard.operator.lease-namespace",
            "configguard.tls.cert-file");
    java.util.Set<String> unread = new java.util.TreeSet<>();
    List<EnvVar> env = new ArrayList<>(chartEnv(c -> c));
    env.addAll(chartEnv(c -> c.set("certManager.enabled", true).set("operator.enabled", false)));
    for (EnvVar var : env) {
      String name = var.getName();
      if (READ_ELSEWHERE.containsKey(name) || name.startsWith("QUARKUS_")) {
        continue;
      }
      if (ConfigKeys.keyOf(name, keys).isEmpty()) {
        unread.add(name);
      }
    }
    assertThat(unread)
        .as(
            "env vars of the chart's Deployment that map to no key the application reads (%s)",
            keys)
        .isEmpty();
  }

  @Test
  void theLeaseNamespaceIsTheReleaseNamespace() {
    assertThat(chartEnv(c -> c))
        .filteredOn(
            v -> v.getName().equals(ConfigKeys.envName("configguard.operator.lease-namespace")))
        .singleElement()
        .satisfies(v -> assertThat(v.getValue()).isEqualTo(ChartTest.NAMESPACE));
  }
}
