package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which namespace holds the operator's Lease. */
class RolloutWiringTest {
  @ParameterizedTest(name = "configured={0}, client={1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "edge,    default, edge", // the chart sets it
        "null,    team-a,  team-a", // in a pod: its own namespace; kubeconfig context's
        "null,    null,    configguard", // a context without a namespace, as kind writes them
        "'',      null,    configguard",
      })
  void leaseNamespace(String configured, String client, String expected) {
    var election =
        RolloutWiring.leaderElection(
            "configguard-operator", Optional.ofNullable(configured), client);
    assertThat(election.getLeaseNamespace()).contains(expected);
  }
}
