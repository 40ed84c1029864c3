package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.webhookconfig.WebhookConfigurations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/local/install.sh, the README's laptop path, run against a stand-in kubectl that records
 * what it is asked to apply: the webhook configuration it installs must leave the cluster writable
 * once serve stops (failurePolicy Ignore on every webhook) and send what the operator's own
 * configuration sends.
 */
class LocalInstallTest {
  @TempDir Path tmp;

  private String run(String... args) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path kubectl = bin.resolve("kubectl");
    Files.writeString(
        kubectl,
        "#!/usr/bin/env bash\n"
            + "echo \"$*\" >> \""
            + tmp.resolve("calls")
            + "\"\n"
            + "if [[ \"$*\" == 'apply -f -' ]]; then cat >> \""
            + tmp.resolve("applied.yaml")
            + "\"; fi\n");
    Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cert = tmp.resolve("tls.crt");
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("bash", "deploy/local/install.sh"),
                        java.util.Arrays.stream(args))
                    .toList())
            .redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("CONFIGGUARD_CERT", cert.toString());
    pb.environment().remove("CONFIGGUARD_URL");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void theLaptopWebhookNeverBlocksOnceServeStops() throws Exception {
    String out = run();
    assertThat(out).contains("failurePolicy Ignore");
    ValidatingWebhookConfiguration vwc =
        Serialization.unmarshal(
            Files.readString(tmp.resolve("applied.yaml")), ValidatingWebhookConfiguration.class);
    assertThat(vwc.getMetadata().getName()).isEqualTo("configguard-local");
    assertThat(vwc.getWebhooks()).isNotEmpty();
    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(tmp.resolve("tls.crt")));
    assertThat(vwc.getWebhooks())
        .allSatisfy(
            w -> {
              assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
              assertThat(w.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:8443/validate");
              assertThat(w.getClientConfig().getCaBundle()).isEqualTo(ca);
              assertThat(w.getClientConfig().getService()).isNull();
            });
    // What the operator's configuration sends in a cluster, the laptop's sends too.
    assertThat(WebhookConfigurations.sendsRolloutTracks(vwc)).isTrue();
  }

  @Test
  void deleteRemovesIt() throws Exception {
    run("--delete");
    assertThat(Files.readAllLines(tmp.resolve("calls")))
        .isEqualTo(
            List.of("delete validatingwebhookconfiguration configguard-local --ignore-not-found"));
  }
}
