package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.GuardedRollout;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A GuardedRollout's delivery tracks are the operator's alone: CREATE, UPDATE and DELETE of {@code
 * <rollout>-stable} / {@code -candidate} by anyone but the operator's identity, the garbage
 * collector and break-glass users or groups are denied; deleting a released {@code -stable} is the
 * cleanup anyone may do.
 */
class TrackAdmissionTest {
  static final String OPERATOR = "system:serviceaccount:configguard:configguard";
  static final String GC = "system:serviceaccount:kube-system:generic-garbage-collector";
  static final ObjectMapper JSON = new ObjectMapper();

  static AdmissionHandler handler(String operator) {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    AdmissionHandler handler =
        new AdmissionHandler(new PolicyIndex(compiler, metrics), ns -> Map.of(), compiler, metrics);
    handler.operatorServiceAccount(operator);
    handler.trackBreakGlass(List.of("oncall"), List.of("sre-break-glass"));
    GuardedRollout rollout = new GuardedRollout();
    rollout.setMetadata(
        new ObjectMetaBuilder().withName("bot-features").withNamespace("edge").build());
    handler.rollouts(ns -> ns.equals("edge") ? List.of(rollout) : List.of());
    return handler;
  }

  /**
   * A ConfigMap's metadata as JSON: {@code labelled} (the rollout label, as the operator writes
   * it), {@code owned} (only the owner reference), {@code released} (labelled, released, no owner),
   * {@code plain} (nothing), {@code none} (no object).
   */
  static String object(String name, String shape) {
    String rollout = name.replaceAll("-(stable|candidate)$", "");
    String labels =
        switch (shape) {
          case "labelled" -> "\"labels\": {\"configguard.io/rollout\": \"" + rollout + "\"},";
          case "released" ->
              "\"labels\": {\"configguard.io/rollout\": \""
                  + rollout
                  + "\", \"configguard.io/released\": \"true\"},";
          default -> "";
        };
    String owner =
        shape.equals("labelled") || shape.equals("owned")
            ? "\"ownerReferences\": [{\"apiVersion\": \"configguard.io/v1alpha1\", \"kind\":"
                + " \"GuardedRollout\", \"name\": \""
                + rollout
                + "\", \"uid\": \"u-1\", \"controller\": true}],"
            : "";
    return shape.equals("none")
        ? "null"
        : """
          {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {%s %s "name": "%s", "namespace": "edge"},
           "data": {"features.json": "{}", "configguard-revision": "3"}}
          """
            .formatted(labels, owner, name);
  }

  static ObjectNode review(
      String operation, String user, String group, String name, String oldShape, String newShape)
      throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
             "request": {"uid": "1c4f5a5e-8f8e-4f57-a9d4-5f0e9a1f2b77",
              "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
              "resource": {"group": "", "version": "v1", "resource": "configmaps"},
              "name": "%s", "namespace": "edge", "operation": "%s",
              "userInfo": {"username": "%s", "groups": ["system:authenticated", "%s"]},
              "object": %s, "oldObject": %s, "dryRun": false}}
            """
                .formatted(
                    name, operation, user, group, object(name, newShape), object(name, oldShape)));
  }

  @ParameterizedTest(name = "{0} {3} ({4} -> {5}) by {1}: allowed={6}")
  @CsvSource({
    // operation, user, group, name, old, new, allowed, warned
    "UPDATE, ci-generator, devs, bot-features-stable, labelled, labelled, false, false",
    "UPDATE, ci-generator, devs, bot-features-stable, labelled, plain, false, false",
    "UPDATE, ci-generator, devs, bot-features-candidate, owned, owned, false, false",
    "DELETE, ci-generator, devs, bot-features-candidate, labelled, none, false, false",
    "DELETE, ci-generator, devs, bot-features-stable, labelled, none, false, false",
    "CREATE, ci-generator, devs, bot-features-candidate, none, plain, false, false",
    "CREATE, ci-generator, devs, bot-features-stable, none, labelled, false, false",
    "UPDATE, ci-generator, devs, bot-features-stable, released, released, false, false",
    "DELETE, ci-generator, devs, bot-features-stable, released, none, true, false",
    "CREATE, ci-generator, devs, other-candidate, none, plain, true, false",
    "UPDATE, ci-generator, devs, bot-features, plain, plain, true, false",
    "UPDATE, "
        + OPERATOR
        + ", system:serviceaccounts, bot-features-stable, labelled, labelled,"
        + " true, false",
    "DELETE, "
        + OPERATOR
        + ", system:serviceaccounts, bot-features-candidate, labelled, none,"
        + " true, false",
    "DELETE, "
        + GC
        + ", system:serviceaccounts, bot-features-candidate, labelled, none, true,"
        + " false",
    "DELETE, oncall, devs, bot-features-candidate, labelled, none, true, true",
    "UPDATE, alice, sre-break-glass, bot-features-stable, labelled, labelled, true, true",
  })
  void onlyTheOperatorTheGarbageCollectorAndBreakGlassWriteTheTracks(
      String operation,
      String user,
      String group,
      String name,
      String oldShape,
      String newShape,
      boolean allowed,
      boolean warned)
      throws Exception {
    AdmissionResponse response =
        handler(OPERATOR)
            .handle(Review.parse(review(operation, user, group, name, oldShape, newShape)));

    assertThat(response.getAllowed()).isEqualTo(allowed);
    if (!allowed) {
      assertThat(response.getStatus().getMessage())
          .startsWith("ConfigMap " + name + " is a delivery track of GuardedRollout bot-features")
          .contains("only configguard's operator writes it");
    }
    if (warned) {
      assertThat(response.getWarnings())
          .singleElement()
          .asString()
          .startsWith("break-glass: ConfigMap " + name + " is a delivery track")
          .contains(user);
    } else {
      assertThat(response.getWarnings()).isNullOrEmpty();
    }
  }

  @ParameterizedTest
  @CsvSource({"''"})
  void withoutTheOperatorsIdentityConfiguredTheGuardIsOff(String operator) throws Exception {
    AdmissionResponse response =
        handler(operator)
            .handle(
                Review.parse(
                    review(
                        "UPDATE",
                        "ci-generator",
                        "devs",
                        "bot-features-stable",
                        "labelled",
                        "labelled")));

    assertThat(response.getAllowed()).isTrue();
  }
}
