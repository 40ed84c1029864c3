package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Opt-in, against a real kube-apiserver (1.28+): every committed CRD (crds/ and the chart's copy)
 * is accepted by a server-side dry-run create. The API server validates the whole schema on create,
 * including each {@code x-kubernetes-validations} rule's estimated cost against its static budget
 * (the check the Fabric8 mock server does not run, issue 12 item 1). Nothing is persisted.
 *
 * <p>A dry-run create of a CRD that is already installed would stop at "already exists" (and a
 * shared API server's installed copies are not this test's to touch), so each CRD is created under
 * a group of its own ({@code dryrun.<group>}, name {@code <plural>.dryrun.<group>}); schema and
 * rules are unchanged. Run with {@code CONFIGGUARD_REAL_KUBECONFIG=/path/to/kubeconfig} (a user
 * that may create CRDs); skipped otherwise.
 */
@EnabledIfEnvironmentVariable(named = "CONFIGGUARD_REAL_KUBECONFIG", matches = ".+")
class RealApiServerCrdsIT {

  @Test
  void everyCommittedCrdIsAcceptedByServerSideDryRunCreate() throws Exception {
    Path kubeconfig = Path.of(System.getenv("CONFIGGUARD_REAL_KUBECONFIG"));
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    config.setRequestRetryBackoffLimit(0);
    List<Path> files = new ArrayList<>();
    for (Path dir : List.of(Path.of("crds"), Path.of("helm/configguard/crds"))) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
            .sorted()
            .forEach(files::add);
      }
    }
    assertThat(files).as("committed CRDs").hasSizeGreaterThanOrEqualTo(8);
    List<String> refused = new ArrayList<>();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      for (Path file : files) {
        CustomResourceDefinition crd = read(file);
        String group = "dryrun." + crd.getSpec().getGroup();
        crd.getSpec().setGroup(group);
        crd.getMetadata().setName(crd.getSpec().getNames().getPlural() + "." + group);
        crd.getMetadata().setResourceVersion(null);
        try {
          CustomResourceDefinition answer =
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .resource(crd)
                  .dryRun()
                  .create();
          assertThat(answer.getMetadata().getUid()).as(file + ": dry-run answer").isNotBlank();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
          refused.add(file + ": " + e.getCode() + " " + e.getMessage());
        }
        assertThat(
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .get())
            .as("dry run persisted nothing")
            .isNull();
      }
    }
    assertThat(refused).as("CRDs the API server refused").isEmpty();
  }

  static CustomResourceDefinition read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }
}
