package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Renders the Helm chart with real Helm (helm-java) and checks what a cluster would receive. */
class ChartTest {
  static final Path CHART = Path.of("helm/configguard");
  static final Path DEPLOY = Path.of("deploy/configguard.yaml");
  static final String NAMESPACE = "configguard";
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Renders the chart as `helm template configguard helm/configguard -n configguard`. */
  static String render(UnaryOperator<TemplateCommand> values) {
    TemplateCommand command =
        new Helm(CHART)
            .template()
            .withName("configguard")
            .withNamespace(NAMESPACE)
            // lookup needs a cluster; offline rendering generates a fresh CA instead.
            .set("tls.lookupExisting", false);
    return values.apply(command).call();
  }

  static List<HasMetadata> objects(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : manifests.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(SERIALIZATION.unmarshal(doc));
      }
    }
    return objects;
  }

  static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void lintPasses() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void defaultsRenderTwoReplicasSpreadOverNodesWithABudget() {
    List<HasMetadata> objects = objects(render(c -> c));
    Deployment deployment = ofType(objects, Deployment.class).get(0);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    PodDisruptionBudget pdb = ofType(objects, PodDisruptionBudget.class).get(0);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
  }

  @Test
  void podPassesTheRestrictedPodSecurityStandard() {
    Deployment deployment = ofType(objects(render(c -> c)), Deployment.class).get(0);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes())
        .allSatisfy(v -> assertThat(v.getHostPath()).as(v.getName()).isNull());
    for (var c : pod.getContainers()) {
      var sc = c.getSecurityContext();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
      assertThat(sc.getRunAsNonRoot()).isTrue();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
    }
  }

  @Test
  void rbacHasNoWildcardAndPodsArePatchOnly() {
    List<HasMetadata> objects = objects(render(c -> c));
    List<PolicyRule> rules = new ArrayList<>();
    ofType(objects, ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    ofType(objects, Role.class).forEach(r -> rules.addAll(r.getRules()));
    assertThat(rules).isNotEmpty();
    for (PolicyRule rule : rules) {
      assertThat(rule.getVerbs()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
    }
    List<String> podVerbs =
        rules.stream()
            .filter(r -> r.getApiGroups().contains("") && r.getResources().contains("pods"))
            .flatMap(r -> r.getVerbs().stream())
            .toList();
    assertThat(podVerbs).containsExactlyInAnyOrder("get", "list", "watch", "patch");
    assertThat(rules)
        .filteredOn(r -> r.getResources().contains("secrets"))
        .as("configguard never reads Secrets")
        .isEmpty();
    assertThat(rules)
        .filteredOn(r -> r.getResources().contains("leases"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getVerbs())
                    .containsExactlyInAnyOrder("get", "create", "update", "patch"));
    assertThat(ofType(objects, Role.class).get(0).getMetadata().getNamespace())
        .isEqualTo(NAMESPACE);
  }

  @Test
  void kubeSystemAndTheReleaseNamespaceAreExcludedFromTheWebhook() {
    Map<String, String> env =
        env(render(c -> c.set("webhook.excludeNamespaces[0]", "flux-system")));
    assertThat(env.get("CONFIGGUARD_WEBHOOK_EXCLUDE_NAMESPACES"))
        .isEqualTo("kube-system,configguard,flux-system");
    assertThat(env.get("CONFIGGUARD_WEBHOOK_FAILURE_POLICY")).isEqualTo("Fail");
    assertThat(env.get("CONFIGGUARD_WEBHOOK_TIMEOUT_SECONDS")).isEqualTo("5");
    assertThat(env.get("CONFIGGUARD_WEBHOOK_MANAGE")).isEqualTo("true");
  }

  @Test
  void customValuesReachTheDeployment() {
    List<HasMetadata> objects =
        objects(
            render(
                c ->
                    c.set("replicaCount", 3)
                        .set("podAntiAffinity", "hard")
                        .set("webhook.failurePolicy", "Ignore")
                        .set("webhook.timeoutSeconds", 3)
                        .set("webhook.manage", false)
                        .set("podDisruptionBudget.minAvailable", 2)
                        .set("metrics.serviceMonitor.enabled", true)
                        .set("operator.trackBreakGlass.users[0]", "oncall")
                        .set("operator.trackBreakGlass.users[1]", "alice")));
    Deployment deployment = ofType(objects, Deployment.class).get(0);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(
            deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    assertThat(
            ofType(objects, PodDisruptionBudget.class)
                .get(0)
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(2);
    Map<String, String> env = env(deployment);
    assertThat(env.get("CONFIGGUARD_WEBHOOK_FAILURE_POLICY")).isEqualTo("Ignore");
    assertThat(env.get("CONFIGGUARD_WEBHOOK_TIMEOUT_SECONDS")).isEqualTo("3");
    assertThat(env.get("CONFIGGUARD_WEBHOOK_MANAGE")).isEqualTo("false");
    assertThat(env.get("CONFIGGUARD_TRACKS_BREAK_GLASS_USERS")).isEqualTo("oncall,alice");
    assertThat(env).doesNotContainKey("CONFIGGUARD_TRACKS_BREAK_GLASS_GROUPS");
    assertThat(kinds(objects)).contains("ServiceMonitor");
  }

  @Test
  void generatedCertificateServesTheServiceName() throws Exception {
    List<HasMetadata> objects = objects(render(c -> c));
    Secret secret = ofType(objects, Secret.class).get(0);
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
    var factory = java.security.cert.CertificateFactory.getInstance("X.509");
    var cert =
        (java.security.cert.X509Certificate)
            factory.generateCertificate(
                new java.io.ByteArrayInputStream(
                    java.util.Base64.getDecoder().decode(secret.getData().get("tls.crt"))));
    assertThat(cert.getSubjectAlternativeNames())
        .extracting(san -> (Object) san.get(1))
        .contains((Object) "configguard.configguard.svc");
    assertThat(kinds(objects)).doesNotContain("Certificate", "Issuer");
  }

  @Test
  void certManagerReplacesTheGeneratedSecret() {
    List<HasMetadata> objects = objects(render(c -> c.set("certManager.enabled", true)));
    assertThat(kinds(objects)).contains("Certificate", "Issuer").doesNotContain("Secret");
    GenericKubernetesResource certificate =
        ofType(objects, GenericKubernetesResource.class).stream()
            .filter(o -> o.getKind().equals("Certificate"))
            .findFirst()
            .orElseThrow();
    assertThat((List<Object>) certificate.get("spec", "dnsNames"))
        .contains((Object) "configguard.configguard.svc");
    assertThat((String) certificate.get("spec", "secretName")).isEqualTo("configguard-tls");
  }

  @Test
  void chartCrdsEqualTheGeneratedCrds() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      List<Path> crds = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
      assertThat(crds).isNotEmpty();
      for (Path crd : crds) {
        Path copy = CHART.resolve("crds").resolve(crd.getFileName());
        assertThat(copy).as("helm/configguard/crds must carry " + crd.getFileName()).exists();
        assertThat(Files.readString(copy))
            .as("%s drifted from crds/: copy crds/*.yml into helm/configguard/crds/", copy)
            .isEqualTo(Files.readString(crd));
      }
    }
    try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
      assertThat(files.map(p -> Path.of("crds").resolve(p.getFileName())))
          .allSatisfy(p -> assertThat(p).as("stale chart CRD without a source").exists());
    }
  }

  /**
   * deploy/configguard.yaml is the chart rendered with defaults. Generated key material differs on
   * every render, so it is compared with placeholders; regenerate the file with
   * -Dconfigguard.regenerate=true.
   */
  @Test
  void plainManifestsEqualTheChartRenderedWithDefaults() throws IOException {
    String rendered = plainManifests();
    if (Boolean.getBoolean("configguard.regenerate")) {
      Files.writeString(DEPLOY, HEADER + rendered, StandardCharsets.UTF_8);
    }
    assertThat(DEPLOY).exists();
    assertThat(withoutKeyMaterial(Files.readString(DEPLOY)))
        .as(
            "deploy/configguard.yaml drifted from the chart: run mvn test -Dtest=ChartTest"
                + " -Dconfigguard.regenerate=true")
        .isEqualTo(withoutKeyMaterial(HEADER + rendered));
  }

  /** The namespace, the CRDs and the chart rendered with defaults: one `kubectl apply`. */
  static String plainManifests() throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ")
        .append(NAMESPACE)
        .append("\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n");
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      for (Path crd : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        out.append("---\n").append(Files.readString(crd));
      }
    }
    return out.append(render(c -> c)).toString();
  }

  static final String HEADER =
      "# Generated from helm/configguard with default values: do not edit.\n"
          + "# Regenerate: mvn -B test -Dtest=ChartTest -Dconfigguard.regenerate=true\n"
          + "# The TLS Secret holds a CA generated at render time: for anything beyond a trial,\n"
          + "# install with Helm (a CA per install) or cert-manager.\n";

  static String withoutKeyMaterial(String manifests) {
    return manifests.replaceAll("(?m)^(\\s+(tls\\.crt|tls\\.key|ca\\.crt): ).*$", "$1<generated>");
  }

  static List<String> kinds(List<HasMetadata> objects) {
    return objects.stream().map(HasMetadata::getKind).toList();
  }

  static Map<String, String> env(String manifests) {
    return env(ofType(objects(manifests), Deployment.class).get(0));
  }

  static Map<String, String> env(Deployment deployment) {
    Map<String, String> env = new java.util.HashMap<>();
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }
}
