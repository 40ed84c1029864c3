package io.configguard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.rollout.DerivedConfigMaps;
import io.configguard.rollout.RolloutKeys;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Records every request one client sends ("PATCH /api/v1/namespaces/x/pods/p"), with its body, the
 * time it was sent and the status code it got, to count writes and check what was applied.
 */
public final class RequestLog implements Interceptor {
  private static final String SEQUENCE = "X-Request-Log-Sequence";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request as sent. {@code code} is the answer's status, 0 while there is none (or never: the
   * client died first); {@code injected} is the status {@link Faults} answered it with instead of
   * the API server, 0 for a request that reached the server.
   */
  public record Request(
      int sequence, long nanos, String method, String path, String body, int injected, int code) {
    static Request of(HttpRequest request) {
      return new Request(
          0, System.nanoTime(), request.method(), request.uri().getPath(), body(request), 0, 0);
    }

    private static String body(HttpRequest request) {
      String body = request.bodyString();
      return body == null ? "" : body;
    }

    public boolean isWrite() {
      return !"GET".equals(method);
    }

    public boolean is(String method, String pathSuffix) {
      return this.method.equals(method) && path.endsWith(pathSuffix);
    }

    /** In {@code namespace}, a pod patch pointing the pod at {@code revision}. */
    public boolean movesPodTo(String namespace, String revision) {
      return method.equals("PATCH")
          && path.startsWith("/api/v1/namespaces/" + namespace + "/pods/")
          && revision.equals(podRevision());
    }

    /** The revision annotation a pod patch sets, or null. */
    public String podRevision() {
      JsonNode node = json().at("/metadata/annotations").get(RolloutKeys.REVISION);
      return node == null ? null : node.asText();
    }

    /** A create or replace of ConfigMap {@code name} in {@code namespace}. */
    public boolean writesConfigMap(String namespace, String name) {
      return (method.equals("POST") || method.equals("PUT"))
          && path.startsWith("/api/v1/namespaces/" + namespace + "/configmaps")
          && name.equals(json().at("/metadata/name").asText());
    }

    /** The revision a derived ConfigMap write carries, or null. */
    public String configRevision() {
      JsonNode node = json().at("/data").get(DerivedConfigMaps.REVISION_KEY);
      return node == null ? null : node.asText();
    }

    public String objectName() {
      return path.substring(path.lastIndexOf('/') + 1);
    }

    private JsonNode json() {
      try {
        return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
      } catch (JsonProcessingException e) {
        return JSON.missingNode();
      }
    }

    /** Reached the API server and was applied there. */
    public boolean applied() {
      return injected == 0 && code >= 200 && code < 300;
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  // Not a CopyOnWriteArrayList: the benchmark logs 20,000 requests, and each add would copy them.
  private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
  private final Map<Integer, Integer> codes = new ConcurrentHashMap<>();
  private final AtomicInteger sequence = new AtomicInteger();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    int n = sequence.incrementAndGet();
    builder.setHeader(SEQUENCE, Integer.toString(n));
    Request r = Request.of(request);
    String injected = request.header(Faults.HEADER);
    requests.add(
        new Request(
            n,
            r.nanos(),
            r.method(),
            r.path(),
            r.body(),
            injected == null ? 0 : Integer.parseInt(injected),
            0));
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    String n = request.header(SEQUENCE);
    if (n != null) {
      codes.put(Integer.parseInt(n), response.code());
    }
  }

  /** Every request sent so far, with the status code each got (if any yet). */
  public List<Request> requests() {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      int code = codes.getOrDefault(r.sequence(), 0);
      out.add(
          new Request(r.sequence(), r.nanos(), r.method(), r.path(), r.body(), r.injected(), code));
    }
    return out;
  }

  public List<Request> requests(Predicate<Request> which) {
    return requests().stream().filter(which).toList();
  }

  /** Requests other than GET whose path contains {@code fragment}. */
  public List<String> writes(String fragment) {
    List<String> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.isWrite() && r.path().contains(fragment)) {
        out.add(r.toString());
      }
    }
    return out;
  }

  public List<String> writes() {
    return writes("/");
  }

  public void clear() {
    requests.clear();
    codes.clear();
  }
}
