package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.configguard.api.HttpGetCheck;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP check against a real server on the loopback address standing in for a pod IP. */
class JdkHttpProbeTest {
  HttpServer server;
  volatile int status = 200;
  volatile String revision = "7";

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/healthz",
        exchange -> {
          if (revision != null) {
            exchange.getResponseHeaders().add("X-Config-Revision", revision);
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void reportsTheRevisionHeaderAndFailures() {
    HttpGetCheck check = new HttpGetCheck();
    check.port = server.getAddress().getPort();
    check.path = "/healthz";
    check.revisionHeader = "X-Config-Revision";
    Pod up = pod("up", "127.0.0.1");
    Pod noIp = pod("pending", null);
    JdkHttpProbe probe = new JdkHttpProbe();

    Map<String, ProbeResult> results = probe.probe(List.of(up, noIp), check);
    assertThat(results.get("up")).isEqualTo(new ProbeResult.Ok("7"));
    assertThat(results.get("pending")).isEqualTo(new ProbeResult.Failed("no pod IP"));

    status = 503;
    revision = null;
    assertThat(probe.probe(List.of(up), check).get("up"))
        .isEqualTo(new ProbeResult.Failed("GET /healthz: 503"));

    check.port = 1; // nothing listens there
    assertThat(probe.probe(List.of(up), check).get("up"))
        .isInstanceOf(ProbeResult.Failed.class)
        .asString()
        .contains("GET /healthz: ");
  }

  private static Pod pod(String name, String ip) {
    Pod pod = RolloutFixtures.pod(name, "node-a");
    pod.getStatus().setPodIP(ip);
    return pod;
  }
}
