package io.configguard.serve;

import io.configguard.ConfigguardConfig;
import io.configguard.admission.Webhook;
import io.configguard.files.ManifestFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code configguard serve}: the HTTPS admission webhook, standalone or against a cluster. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the validating admission webhook on HTTPS (POST /validate).",
      "Standalone (--policies or --standalone): policies come from files, no cluster is needed,"
          + " and a self-signed certificate for localhost is generated when none is configured.",
      "Otherwise policies come from the cluster's ConfigPolicy and ClusterConfigPolicy objects,"
          + " and the operator runs too.",
      "Out of cluster (a kubeconfig) no ValidatingWebhookConfiguration is written unless"
          + " configguard.webhook.url and configguard.tls.ca-file are set: register the webhook"
          + " with deploy/local/install.sh. configguard.webhook.manage=false never writes one."
    })
public class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(ServeCommand.class);

  /** The example request the quick start tries, if it is there. */
  private static final Path EXAMPLE_REQUEST =
      Path.of("deploy/examples/admission/bad-bot-features.json");

  @Option(
      names = "--policies",
      split = ",",
      paramLabel = "DIR|FILE",
      description = "Policy files or folders (YAML/JSON, read recursively); implies --standalone.")
  List<Path> policies;

  @Option(names = "--standalone", description = "Run without a cluster.")
  boolean standalone;

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description =
          "Namespace of ConfigPolicy documents that name none (default: ${DEFAULT-VALUE}).")
  String namespace;

  private final Webhook webhook;
  private final Instance<KubernetesClient> client;
  private final Instance<Operator> operator;
  private final int port;
  private final boolean operatorEnabled;

  public ServeCommand(
      Webhook webhook,
      Instance<KubernetesClient> client,
      Instance<Operator> operator,
      @ConfigProperty(name = "quarkus.http.ssl-port") int port,
      ConfigguardConfig config) {
    this.webhook = webhook;
    this.client = client;
    this.operator = operator;
    this.port = port;
    this.operatorEnabled = config.operator().enabled();
  }

  @Override
  public Integer call() throws Exception {
    ServeTls.generated()
        .ifPresent(
            cert ->
                LOG.infof("serving a generated self-signed certificate for localhost: %s", cert));
    if (standalone || policies != null) {
      try {
        webhook.loadPolicies(policies == null ? List.of() : policies, namespace);
      } catch (ManifestFiles.UnreadableException e) {
        LOG.errorf("cannot read the policies: %s", e.getMessage());
        return 2;
      }
      System.out.println(tryIt());
    } else {
      var loaded = webhook.watchCluster(client.get());
      if (operatorEnabled) {
        // Pre-flight judges candidates with the policies the webhook loads: start once they are.
        loaded
            .thenRun(() -> webhook.startOperator(operator.get()))
            .exceptionally(
                e -> {
                  LOG.errorf(e, "the operator did not start");
                  return null;
                });
      }
    }
    Quarkus.waitForExit();
    return 0;
  }

  private String tryIt() {
    String url = "https://localhost:" + port + "/validate";
    String body =
        Files.isRegularFile(EXAMPLE_REQUEST) ? "@" + EXAMPLE_REQUEST : "@ADMISSION_REVIEW.json";
    return "configguard webhook: "
        + url
        + " ("
        + webhook.index().current().size()
        + " policies). Try a denial:\n  curl -sk "
        + url
        + " -H 'Content-Type: application/json' --data-binary "
        + body;
  }
}
