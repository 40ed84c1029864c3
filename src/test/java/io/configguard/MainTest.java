package io.configguard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {
  @ParameterizedTest(name = "{0} -> serves HTTPS: {1}")
  @CsvSource({
    "serve, true",
    "serve --policies deploy/examples/policies, true",
    "--help, false",
    "check --policies p m.yaml, false",
    "check --policies serve serve, false",
    "test x, false",
    "'', false",
  })
  void onlyServeOpensAPort(String args, boolean serves) {
    String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
    assertThat(Main.isServe(argv)).isEqualTo(serves);
    assertThat(Main.OFFLINE).containsEntry("quarkus.http.host-enabled", "false");
  }
}
