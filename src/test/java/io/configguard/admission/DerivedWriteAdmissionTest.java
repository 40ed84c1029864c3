package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator's own write of a rollout's -stable ConfigMap skips the policies its source passed in
 * pre-flight (the example's bot-features growth rule matches "bot-features*"), and nobody else can
 * claim that: another user, or an object without the rollout's owner reference, is judged by every
 * matching policy. (Anyone but the operator writing a rollout's own track is denied before any
 * policy: see {@link TrackAdmissionTest}.)
 */
class DerivedWriteAdmissionTest {
  static final String OPERATOR = "system:serviceaccount:configguard:configguard";
  static final ObjectMapper JSON = new ObjectMapper();

  static AdmissionHandler handler() throws Exception {
    AdmissionMetrics metrics = new AdmissionMetrics(new SimpleMeterRegistry());
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    PolicyIndex index = new PolicyIndex(compiler, metrics);
    index.replaceAll(
        PolicyFiles.read(
            List.of(Path.of("deploy/examples/guarded-rollout/20-policy.yaml")), "edge"));
    AdmissionHandler handler = new AdmissionHandler(index, ns -> Map.of(), compiler, metrics);
    handler.operatorServiceAccount(OPERATOR);
    return handler;
  }

  /** An UPDATE of bot-features-stable from 2 to 4 features: growth 2.0 > 1.5. */
  static ObjectNode review(String username, boolean ownedByRollout) throws Exception {
    String owner =
        ownedByRollout
            ? """
              "ownerReferences": [{"apiVersion": "configguard.io/v1alpha1", "kind": "GuardedRollout",
                "name": "bot-features", "uid": "u-1", "controller": true}],
              """
            : "";
    String object =
        """
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "bot-features-stable", "namespace": "edge", %s
           "annotations": {"configguard.io/source": "bot-features"}},
         "data": {"features.json": "%s", "configguard-revision": "%s"}}
        """;
    String two = "{\\\"features\\\": [{\\\"name\\\": \\\"a\\\"}, {\\\"name\\\": \\\"b\\\"}]}";
    String four =
        "{\\\"features\\\": [{\\\"name\\\": \\\"a\\\"}, {\\\"name\\\": \\\"b\\\"},"
            + " {\\\"name\\\": \\\"c\\\"}, {\\\"name\\\": \\\"d\\\"}]}";
    return (ObjectNode)
        JSON.readTree(
            """
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
             "request": {"uid": "0c4f5a5e-8f8e-4f57-a9d4-5f0e9a1f2b77",
              "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
              "resource": {"group": "", "version": "v1", "resource": "configmaps"},
              "name": "bot-features-stable", "namespace": "edge", "operation": "UPDATE",
              "userInfo": {"username": "%s", "groups": ["system:serviceaccounts"]},
              "object": %s, "oldObject": %s, "dryRun": false}}
            """
                .formatted(
                    username,
                    object.formatted(owner, four, "7"),
                    object.formatted(owner, two, "6")));
  }

  @ParameterizedTest(name = "{0}, owned by the rollout={1}: allowed={2}")
  @CsvSource({
    OPERATOR + ", true, true, ",
    "ci-generator, true, false, is a delivery track of GuardedRollout bot-features",
    "system:serviceaccount:configguard:other, true, false, is a delivery track of GuardedRollout",
    OPERATOR + ", false, false, edge/bot-features/growth",
  })
  void onlyTheOperatorsOwnDerivedWritesSkipTheSourcePolicies(
      String username, boolean owned, boolean allowed, String denial) throws Exception {
    AdmissionResponse response = handler().handle(Review.parse(review(username, owned)));

    assertThat(response.getAllowed()).isEqualTo(allowed);
    if (!allowed) {
      assertThat(response.getStatus().getMessage()).contains(denial);
    }
  }
}
