package io.configguard.admission;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Verdict;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Rehearses the admission path once before the webhook reports ready: the first real request after
 * a start otherwise pays for loading and initializing the engine (CEL, JSON Schema, the YAML and
 * JSON parsers, the AdmissionReview codec) and took longer than the API server's 5 s timeout. The
 * rehearsal reads AdmissionReviews of each kind the webhook answers with {@link Review#read}, as
 * {@code /validate} does, lets the handler decide them against the loaded policies (without
 * counting them in the metrics), and evaluates a built-in policy using every heavy check.
 */
public final class AdmissionWarmup {
  static final String NAMESPACE = "configguard-warmup";

  private static final String POLICY =
      """
      apiVersion: configguard.io/v1alpha1
      kind: ClusterConfigPolicy
      metadata: {name: configguard-warmup}
      spec:
        enforcement: Deny
        match: {names: ["configguard-warmup"]}
        rules:
          - name: features
            key: features.json
            format: json
            maxBytes: 65536
            jsonSchema: {type: object, required: [features]}
            maxItems: {path: "$.features", max: 10}
            unique: {path: "$.features[*].name"}
          - name: settings
            key: settings.yaml
            format: yaml
            maxKeys: 8
          - name: cel
            cel: "size(object.data) > 0 && !('bad' in object.data)"
            message: "warm-up"
      """;

  private static final String CONFIG_MAP =
      """
      {"apiVersion":"v1","kind":"ConfigMap",
       "metadata":{"name":"configguard-warmup","namespace":"configguard-warmup"},
       "data":{"features.json":"{\\"features\\":[{\\"name\\":\\"a\\"},{\\"name\\":\\"b\\"}]}",
               "settings.yaml":"limits: {rps: 10}\\nnames: [a, b]\\n"}}""";

  private static final String ROLLOUT =
      """
      {"apiVersion":"configguard.io/v1alpha1","kind":"GuardedRollout",
       "metadata":{"name":"configguard-warmup","namespace":"configguard-warmup"},
       "spec":{"sourceRef":{"name":"configguard-warmup"},
               "selector":{"matchLabels":{"app":"configguard-warmup"}},
               "strategy":{"steps":["1","100%"],"bakeSeconds":60}}}""";

  private AdmissionWarmup() {}

  /**
   * Runs the rehearsal.
   *
   * @return the answers the handler gave, one per rehearsed request
   */
  static List<AdmissionResponse> run(AdmissionHandler handler, PolicyCompiler compiler)
      throws Exception {
    Review configMap = engine(compiler);
    Review rollout =
        Review.read(
            review("configguard.io", "v1alpha1", "GuardedRollout", "guardedrollouts", ROLLOUT));
    return List.of(handler.rehearse(configMap), handler.rehearse(rollout));
  }

  /**
   * Starts, on a thread of its own, the part of the rehearsal that needs no application (reading a
   * review, compiling and evaluating the built-in policy), so that loading and initializing the
   * engine's classes overlaps the framework's start on another core. The rehearsal before ready
   * still runs in full; this one only makes it, and the compilation of the policies, cheaper. A
   * failure here is left to that rehearsal to report.
   */
  public static CompletableFuture<Review> preload() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return engine(new PolicyCompiler(Limits.DEFAULT));
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        task -> {
          Thread thread = new Thread(task, "configguard-preload");
          thread.setDaemon(true);
          thread.start();
        });
  }

  /** Reads a ConfigMap's review and decides it against the built-in policy, which allows it. */
  static Review engine(PolicyCompiler compiler) throws Exception {
    Review configMap = Review.read(review("", "v1", "ConfigMap", "configmaps", CONFIG_MAP));
    Policy policy =
        compiler.compile(
            PolicyRef.cluster("configguard-warmup"),
            Serialization.unmarshal(POLICY, ClusterConfigPolicy.class).getSpec());
    Verdict verdict =
        PolicySet.of(List.of(policy))
            .evaluate(configMap.target(Map.of("kubernetes.io/metadata.name", NAMESPACE)));
    if (!verdict.violations().isEmpty()) {
      throw new IllegalStateException("the warm-up policy denied its own ConfigMap: " + verdict);
    }
    return configMap;
  }

  private static byte[] review(
      String group, String version, String kind, String resource, String object) {
    String gvk =
        "{\"group\":\"" + group + "\",\"version\":\"" + version + "\",\"kind\":\"" + kind + "\"}";
    String gvr =
        "{\"group\":\""
            + group
            + "\",\"version\":\""
            + version
            + "\",\"resource\":\""
            + resource
            + "\"}";
    return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
            + "\"uid\":\"configguard-warmup\",\"kind\":"
            + gvk
            + ",\"resource\":"
            + gvr
            + ",\"requestKind\":"
            + gvk
            + ",\"requestResource\":"
            + gvr
            + ",\"name\":\"configguard-warmup\",\"namespace\":\""
            + NAMESPACE
            + "\",\"operation\":\"CREATE\",\"dryRun\":true,"
            + "\"userInfo\":{\"username\":\"system:configguard:warmup\"},\"object\":"
            + object
            + ",\"oldObject\":null}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
