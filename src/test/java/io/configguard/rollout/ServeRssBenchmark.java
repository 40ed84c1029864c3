package io.configguard.rollout;

import static io.configguard.rollout.OperatorHarness.awaitRollout;
import static io.configguard.rollout.OperatorHarness.source;
import static io.configguard.rollout.RolloutFixtures.features;

import io.configguard.api.RolloutPhase;
import io.configguard.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * RSS of the packaged application under the chart's memory settings (not part of the test suite;
 * see bench/README.md). The Fabric8 CRUD mock server, made to page list calls as a real API server
 * does ({@link MockCluster}), runs in this JVM with 4,000 unrelated ConfigMaps of 25 KiB and 5,000
 * unrelated pods, and answers metadata-only lists and watches as a real API server does; {@code
 * configguard serve} runs in its own JVM with exactly the chart's options ({@link
 * #chartJvmOptions}: {@code javaOpts} from values.yaml, and {@code -XX:MaxRAM} from its memory
 * limit) and a kubeconfig pointing at the mock. Its VmRSS is sampled every 200 ms while it starts,
 * runs a rollout over 10 pods to Succeeded, and sees 1,000 more 25 KiB ConfigMaps created while it
 * runs.
 *
 * <p>Run: {@code mvn -o -B -q package -DskipTests} then {@code mvn -o -B -q test
 * -Dtest=ServeRssBenchmark -Dbench -Dsurefire.failIfNoSpecifiedTests=false}; {@code
 * -Dbench.app=<dir>} measures another build's {@code quarkus-app}.
 */
@EnabledIfSystemProperty(named = "bench", matches = ".*")
class ServeRssBenchmark {
  static final String NS = OperatorMemoryIT.NS;

  @Test
  void rssUnderTheChartsMemorySettings() throws Exception {
    MockCluster cluster = new MockCluster().withCrds();
    // The mock answers slowly while it pages thousands of objects on a loaded machine.
    KubernetesClient client =
        cluster.server.createClient(
            b -> b.editOrNewConfig().withRequestTimeout(120_000).endConfig());
    Process app = null;
    List<String> report = new ArrayList<>();
    AtomicLong peak = new AtomicLong();
    try {
      List<String> pods = OperatorHarness.pods(client, NS, "proxy", 10, 3);
      source(client, NS, "bot-features", features(10));
      OperatorMemoryIT.seedUnrelated(cluster);

      Path kubeconfig = Files.createTempFile("configguard-bench", ".yaml");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters:
            - name: mock
              cluster: {server: "http://localhost:%d"}
          users:
            - name: bench
              user: {token: bench}
          contexts:
            - name: mock
              context: {cluster: mock, user: bench, namespace: %s}
          current-context: mock
          """
              .formatted(cluster.server.getPort(), NS));
      Path appDir = Path.of(System.getProperty("bench.app", "target/quarkus-app"));
      Path log = Files.createTempFile("configguard-bench", ".log");
      List<String> command = new ArrayList<>();
      command.add(System.getProperty("java.home") + "/bin/java");
      command.addAll(chartJvmOptions());
      command.addAll(
          List.of(
              "-XX:NativeMemoryTracking=summary",
              // The mock is slow to page thousands of objects on a loaded machine.
              "-Dquarkus.kubernetes-client.request-timeout=PT2M",
              "-Dquarkus.http.ssl-port=" + freePort(),
              "-Dquarkus.http.port=" + freePort()));
      String extra = System.getProperty("bench.jvm", "");
      if (!extra.isBlank()) {
        command.addAll(List.of(extra.trim().split("\\s+")));
      }
      command.addAll(List.of("-jar", appDir.resolve("quarkus-run.jar").toString(), "serve"));
      report.add("command: " + String.join(" ", command));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().remove("JAVA_TOOL_OPTIONS");
      builder.environment().putAll(chartProcessEnvironment());
      report.add("environment from the chart: " + chartProcessEnvironment());
      long started = System.nanoTime();
      app = builder.start();
      Process running = app;
      Thread sampler =
          new Thread(
              () -> {
                while (running.isAlive()) {
                  peak.accumulateAndGet(rssKib(running.pid()), Math::max);
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.setDaemon(true);
      sampler.start();

      OperatorHarness.rollout(client, NS, "bot-features", 1, "50%", "100%");
      awaitRollout(
          client,
          NS,
          "bot-features",
          r -> r.getStatus().phase == RolloutPhase.Succeeded,
          Duration.ofMinutes(8));
      report.add(
          String.format(
              "first revision Succeeded after %d s: RSS %d MiB (peak %d MiB)",
              (System.nanoTime() - started) / 1_000_000_000,
              rssKib(app.pid()) >> 10,
              peak.get() >> 10));
      source(client, NS, "bot-features", features(12));
      awaitRollout(
          client,
          NS,
          "bot-features",
          r ->
              r.getStatus().phase == RolloutPhase.Succeeded
                  && Long.valueOf(2).equals(r.getStatus().stableRevision),
          Duration.ofMinutes(8));
      OperatorHarness.awaitPodsOn(client, NS, pods, "2");
      report.add(
          String.format(
              "rollout over 10 pods Succeeded: RSS %d MiB (peak %d MiB)",
              rssKib(app.pid()) >> 10, peak.get() >> 10));

      String content = "y".repeat(25 * 1024);
      for (int i = 0; i < 1000; i++) {
        client
            .configMaps()
            .inNamespace("later-" + (i % 10))
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("later-" + i)
                    .endMetadata()
                    .addToData("payload", content)
                    .build())
            .create();
      }
      Thread.sleep(10_000);
      report.add(
          String.format(
              "1,000 more 25 KiB ConfigMaps created while running, 10 s later: alive %s, RSS %d MiB"
                  + " (peak %d MiB)",
              app.isAlive(), app.isAlive() ? rssKib(app.pid()) >> 10 : 0, peak.get() >> 10));
      report.add("paged list calls: " + cluster.pagedLists());
      report.add(
          String.format(
              "metadata-only: %d list calls, %d watches, %.1f MiB sent",
              cluster.metadataLists(),
              cluster.metadataWatches(),
              cluster.metadataBytes() / 1048576.0));
      report.add("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
      if (app.isAlive()) {
        report.addAll(jcmd(app.pid(), "GC.heap_info"));
        jcmd(app.pid(), "GC.run");
        Thread.sleep(5_000);
        report.add(
            String.format(
                "5 s after a full GC (jcmd GC.run): RSS %d MiB (peak %d MiB)",
                rssKib(app.pid()) >> 10, peak.get() >> 10));
        report.addAll(jcmd(app.pid(), "VM.native_memory", "summary"));
      }
      report.add("log: " + log);
    } finally {
      if (app != null) {
        report.add("exit: " + (app.isAlive() ? "still running" : "exited " + app.exitValue()));
        app.destroy();
      }
      client.close();
      cluster.close();
      report.forEach(System.out::println);
      Files.write(Path.of("target/serve-rss.txt"), report);
    }
  }

  /**
   * The JVM of the chart's container: {@code -XX:MaxRAM} from {@code resources.limits.memory} (what
   * the JVM sees in the container) and {@code javaOpts} as they are, read from values.yaml.
   */
  @SuppressWarnings("unchecked")
  static List<String> chartJvmOptions() throws IOException {
    Map<String, Object> values =
        (Map<String, Object>)
            new org.snakeyaml.engine.v2.api.Load(
                    org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("helm/configguard/values.yaml")));
    Map<String, Object> limits =
        (Map<String, Object>) ((Map<String, Object>) values.get("resources")).get("limits");
    String memory = limits.get("memory").toString();
    if (!memory.endsWith("Mi")) {
      throw new IllegalStateException("resources.limits.memory not in Mi: " + memory);
    }
    List<String> options = new ArrayList<>();
    options.add("-XX:MaxRAM=" + memory.substring(0, memory.length() - 2) + "m");
    options.addAll(List.of(values.get("javaOpts").toString().trim().split("\\s+")));
    return options;
  }

  /**
   * The variables of the chart's container that the process itself reads before Java starts
   * (glibc's {@code MALLOC_ARENA_MAX}), from the rendered {@code deploy/configguard.yaml};
   * configguard's own keys stay those of an out-of-cluster run.
   */
  static Map<String, String> chartProcessEnvironment() throws IOException {
    Map<String, String> env = new java.util.TreeMap<>();
    try (var in = Files.newInputStream(Path.of("deploy/configguard.yaml"));
        KubernetesClient parser =
            new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
      for (var object : parser.load(in).items()) {
        if (object instanceof io.fabric8.kubernetes.api.model.apps.Deployment deployment) {
          for (var var :
              deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (var.getName().startsWith("MALLOC_") && var.getValue() != null) {
              env.put(var.getName(), var.getValue());
            }
          }
        }
      }
    }
    return env;
  }

  static List<String> jcmd(long pid, String... command) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(System.getProperty("java.home") + "/bin/jcmd");
    args.add(Long.toString(pid));
    args.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
    List<String> out = new String(jcmd.getInputStream().readAllBytes()).lines().toList();
    jcmd.waitFor();
    return out;
  }

  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone
    }
    return 0;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
