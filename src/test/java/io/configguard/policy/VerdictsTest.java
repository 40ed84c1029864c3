package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.Enforcement;
import io.configguard.api.Operation;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerdictsTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "v1, ConfigMap, '', v1, ConfigMap",
    "apps/v1, Deployment, apps, v1, Deployment",
    "configguard.io/v1alpha1, GuardedRollout, configguard.io, v1alpha1, GuardedRollout",
  })
  void kindComesFromApiVersionAndKind(
      String apiVersion, String kind, String group, String version, String expectedKind)
      throws Exception {
    var object =
        new ObjectMapper()
            .readTree("{\"apiVersion\": \"" + apiVersion + "\", \"kind\": \"" + kind + "\"}");
    assertThat(Verdicts.kindOf(object)).isEqualTo(new ObjectKind(group, version, expectedKind));
  }

  @Test
  void aManifestIsACreateOrWithItsOldVersionAnUpdate() throws Exception {
    var mapper = new ObjectMapper();
    var object =
        mapper.readTree(
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}");
    Target create = Verdicts.target(object, null, "team", Map.of("tier", "edge"));
    assertThat(create.operation()).isEqualTo(Operation.CREATE);
    assertThat(create.namespace()).isEqualTo("team");
    assertThat(create.name()).isEqualTo("a");
    assertThat(create.namespaceLabels()).containsEntry("tier", "edge");
    assertThat(create.request().path("operation").asText()).isEqualTo("CREATE");
    Target update = Verdicts.target(object, object, "team", Map.of());
    assertThat(update.operation()).isEqualTo(Operation.UPDATE);
    assertThat(update.oldObject()).isSameAs(object);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Unrecognized token 'bm90LWEtcmVhbC1zZWNyZXQ': was expecting JSON | Unrecognized token \"<redacted>\": was expecting JSON",
        "value \"not-a-real-secret\" is not allowed | value \"<redacted>\" is not allowed",
        "starts with not-a-real and more | starts with <redacted> and more",
        "24 bytes > limit 8 | 24 bytes > limit 8",
      })
  void secretValuesNeverSurvive(String message, String redacted) {
    Set<String> secrets = Set.of("bm90LWEtcmVhbC1zZWNyZXQ=", "not-a-real-secret");
    Violation v = new Violation("p", "r", Enforcement.Deny, "password", message);
    Violation out = Verdicts.redact(v, secrets);
    assertThat(out.message()).isEqualTo(redacted);
    assertThat(out.line()).startsWith("p/r: password: ");
  }
}
