package io.configguard.rollout;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every request one client sends ("PATCH /api/v1/namespaces/x/pods/p"), to count writes.
 */
final class RequestLog implements Interceptor {
  private final List<String> requests = new CopyOnWriteArrayList<>();

  /** A client of the mock server whose requests this log records. */
  static KubernetesClient client(KubernetesMockServer server, RequestLog log) {
    return server.createClient(
        b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("request-log", log)));
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    requests.add(request.method() + " " + request.uri().getPath());
  }

  /** Requests other than GET whose path contains {@code fragment}. */
  List<String> writes(String fragment) {
    List<String> out = new ArrayList<>();
    for (String r : requests) {
      if (!r.startsWith("GET ") && r.contains(fragment)) {
        out.add(r);
      }
    }
    return out;
  }

  List<String> writes() {
    return writes("/");
  }

  void clear() {
    requests.clear();
  }
}
