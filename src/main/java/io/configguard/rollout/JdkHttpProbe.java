package io.configguard.rollout;

import io.configguard.api.HttpGetCheck;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTP check with the JDK client: all pods concurrently, each bounded by the check's timeout.
 * Like kubelet's probes it does not verify certificates: pod IPs are not in any certificate.
 */
final class JdkHttpProbe implements HttpProbe {
  private final HttpClient http;
  private final HttpClient https;

  public JdkHttpProbe() {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    this.https =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .sslContext(trustAll())
            .sslParameters(noHostnameCheck())
            .build();
  }

  @Override
  public Map<String, ProbeResult> probe(List<Pod> pods, HttpGetCheck check) {
    Map<String, CompletableFuture<ProbeResult>> pending = new HashMap<>();
    for (Pod pod : pods) {
      pending.put(pod.getMetadata().getName(), call(pod, check));
    }
    Map<String, ProbeResult> results = new HashMap<>();
    pending.forEach((name, future) -> results.put(name, future.join()));
    return results;
  }

  private CompletableFuture<ProbeResult> call(Pod pod, HttpGetCheck check) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return CompletableFuture.completedFuture(new ProbeResult.Failed("no pod IP"));
    }
    boolean secure = check.scheme == HttpGetCheck.Scheme.HTTPS;
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    String path = check.path == null || check.path.isEmpty() ? "/" : check.path;
    URI uri = URI.create((secure ? "https://" : "http://") + host + ":" + check.port + path);
    int timeout = check.timeoutSeconds == null ? 2 : check.timeoutSeconds;
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeout)).GET().build();
    return (secure ? https : http)
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .orTimeout(timeout + 1L, java.util.concurrent.TimeUnit.SECONDS)
        .handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause = error.getCause() == null ? error : error.getCause();
                return new ProbeResult.Failed(
                    "GET " + path + ": " + cause.getClass().getSimpleName());
              }
              if (response.statusCode() / 100 != 2) {
                return new ProbeResult.Failed("GET " + path + ": " + response.statusCode());
              }
              String revision =
                  check.revisionHeader == null
                      ? null
                      : response.headers().firstValue(check.revisionHeader).orElse(null);
              return new ProbeResult.Ok(revision == null ? null : revision.trim());
            });
  }

  private static SSLContext trustAll() {
    try {
      TrustManager trustAll =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up TLS for health checks", e);
    }
  }

  private static SSLParameters noHostnameCheck() {
    SSLParameters parameters = new SSLParameters();
    parameters.setEndpointIdentificationAlgorithm(null);
    return parameters;
  }
}
