package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * spec.exceptions at the webhook: a warning while unexpired, enforcement after; malformed denied.
 */
class ExceptionAdmissionTest {
  static final Path POLICY = Path.of("src/test/resources/admission/exceptions");

  static AdmissionHandler handlerAt(String now) throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(PolicyFiles.read(List.of(POLICY), "default"));
    assertThat(index.rejected()).isEmpty();
    Clock clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
    return new AdmissionHandler(index, ns -> Map.of(), compiler, metrics, clock);
  }

  @ParameterizedTest(name = "at {0}: allowed={1}")
  @CsvSource({
    "2026-11-28T12:00:00Z, true",
    "2026-11-30T23:59:59Z, true",
    "2026-12-01T00:00:00Z, false",
    "2027-01-01T00:00:00Z, false"
  })
  void anExpiredExceptionStopsExempting(String now, boolean allowed) throws Exception {
    AdmissionResponse response =
        handlerAt(now)
            .handle(
                Review.parse(ReviewTest.fixture("25-edgeroute-update-public-duplicate-host.json")));

    assertThat(response.getAllowed()).isEqualTo(allowed);
    if (allowed) {
      assertThat(response.getWarnings())
          .containsExactly(
              "edge-route-guard: exempted by spec.exceptions[0] until 2026-12-01T00:00:00Z"
                  + " (duplicate hosts until the v2 migration (TICKET-12))");
    } else {
      assertThat(response.getStatus().getMessage())
          .startsWith("edge-route-guard/routes: duplicate");
    }
  }

  @Test
  void aPolicyWithAnExceptionLackingReasonOrExpiryIsDenied() throws Exception {
    ObjectNode review = ReviewTest.fixture("12-clusterconfigpolicy-create-edge-routes-guard.json");
    ObjectNode spec = (ObjectNode) review.path("request").path("object").path("spec");
    spec.putArray("exceptions").addObject().putArray("names").add("legacy-*");
    spec.withArray("exceptions").addObject().put("reason", "x").put("expires", "soon");

    AdmissionResponse response = handlerAt("2026-11-28T12:00:00Z").handle(Review.parse(review));

    assertThat(response.getAllowed()).isFalse();
    assertThat(response.getStatus().getMessage().lines())
        .contains(
            "spec.exceptions[0].reason: required (say why the exception exists)",
            "spec.exceptions[0].expires: required (an RFC 3339 time, e.g. 2026-12-31T00:00:00Z)",
            "spec.exceptions[1].expires: \"soon\" is not an RFC 3339 time (e.g. 2026-12-31T00:00:00Z)");
  }
}
