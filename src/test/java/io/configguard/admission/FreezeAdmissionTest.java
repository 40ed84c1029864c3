package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A ConfigFreeze with denyWrites on the write path: the standalone webhook reads it from the policy
 * folder and denies CREATE, UPDATE and DELETE of what it matches, except break-glass.
 */
class FreezeAdmissionTest {
  static final Path FREEZES = Path.of("src/test/resources/admission/freeze");
  static final String REASON = "peak traffic, change freeze until Jan 2 (CHG-4711)";
  static Webhook webhook;

  @BeforeAll
  static void load() throws Exception {
    webhook = new Webhook(new SimpleMeterRegistry(), java.util.Optional.empty());
    webhook.loadPolicies(List.of(FREEZES), "default");
    // rollouts-only has no denyWrites: it halts rollouts but stops no write.
    assertThat(webhook.index().freezes())
        .extracting(f -> f.name())
        .containsExactly("holiday-freeze");
  }

  static Stream<Arguments> writes() {
    Consumer<ObjectNode> none = r -> {};
    Consumer<ObjectNode> otherNamespace =
        r -> {
          r.put("namespace", "payments");
          ((ObjectNode) r.path("object").path("metadata")).put("namespace", "payments");
          ((ObjectNode) r.path("oldObject").path("metadata")).put("namespace", "payments");
        };
    Consumer<ObjectNode> glassUser =
        r ->
            ((ObjectNode) r.path("userInfo"))
                .put("username", "oncall-lead@example.com")
                .putArray("groups")
                .add("system:authenticated");
    return Stream.of(
        // fixture, edit of request, allowed, denial or warning says
        Arguments.of("22-configmap-edit-edge-routes.json", none, false, "ConfigFreeze"),
        Arguments.of("15-configmap-delete-edge-routes.json", none, false, "ConfigFreeze"),
        Arguments.of("01-configmap-create-edge-routes.json", none, false, "ConfigFreeze"),
        Arguments.of("23-configmap-edit-edge-routes-break-glass.json", none, true, "break-glass"),
        Arguments.of("22-configmap-edit-edge-routes.json", glassUser, true, "break-glass"),
        Arguments.of("22-configmap-edit-edge-routes.json", otherNamespace, true, ""),
        // configguard's own kinds are never frozen: the freeze can always be lifted.
        Arguments.of("11-guardedrollout-update-edge-routes.json", none, true, ""),
        Arguments.of("13-pod-create-edge-router-0.json", none, true, ""));
  }

  @ParameterizedTest(name = "{0} allowed={2}")
  @MethodSource("writes")
  void freezesWrites(String file, Consumer<ObjectNode> edit, boolean allowed, String says)
      throws Exception {
    ObjectNode review = ReviewTest.fixture(file);
    edit.accept((ObjectNode) review.path("request"));
    Review parsed = Review.parse(review);

    AdmissionResponse response = webhook.handler().handle(parsed);

    assertThat(response.getAllowed()).isEqualTo(allowed);
    if (!allowed) {
      assertThat(response.getStatus().getCode()).isEqualTo(403);
      assertThat(response.getStatus().getMessage())
          .isEqualTo(
              "ConfigFreeze holiday-freeze denies "
                  + parsed.operation()
                  + " of ConfigMap edge/"
                  + parsed.name()
                  + ": "
                  + REASON);
    } else if (says.isEmpty()) {
      assertThat(response.getWarnings()).isNullOrEmpty();
    } else {
      assertThat(response.getWarnings())
          .anySatisfy(
              w ->
                  assertThat(w)
                      .startsWith("break-glass: ConfigFreeze holiday-freeze is in force")
                      .contains(parsed.request().path("userInfo").path("username").asText()));
    }
  }

  @Test
  void liftingTheFreezeAdmitsAgain() throws Exception {
    Webhook lifted = new Webhook(new SimpleMeterRegistry(), java.util.Optional.empty());
    lifted.loadPolicies(List.of(FREEZES), "default");
    lifted.index().removeFreeze("holiday-freeze");

    AdmissionResponse response =
        lifted
            .handler()
            .handle(Review.parse(ReviewTest.fixture("15-configmap-delete-edge-routes.json")));

    assertThat(response.getAllowed()).isTrue();
  }
}
