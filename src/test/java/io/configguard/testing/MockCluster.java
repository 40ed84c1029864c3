package io.configguard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The Fabric8 CRUD mock API server, made to behave like a real one where the lifecycle depends on
 * it: list calls with {@code limit} are paged with {@code continue} tokens over a snapshot (the
 * mock alone returns everything), {@code GET /apis} lists the groups of the CRDs created, and every
 * request is recorded so tests can count list calls and writes. Faults can be injected.
 */
public final class MockCluster implements AutoCloseable {
  // Kept strongly: the mock logs every request at INFO, which slows seeding 10,000 objects.
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private final ApiServer api = new ApiServer();

  public MockCluster() {
    server =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
    server.init();
    client = server.createClient(b -> b.editOrNewConfig().withRequestTimeout(5_000).endConfig());
  }

  /** Creates configguard's policy CRDs (from crds/) so status-subresource semantics apply. */
  public MockCluster withPolicyCrds() {
    crd(Path.of("crds/configpolicies.configguard.io-v1.yml"));
    crd(Path.of("crds/clusterconfigpolicies.configguard.io-v1.yml"));
    return this;
  }

  /**
   * Creates every CRD under crds/ (all of configguard's kinds) in a mock server of any kind, so
   * custom resources get status-subresource semantics.
   */
  public static void installCrds(KubernetesClient client) {
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          client.apiextensions().v1().customResourceDefinitions().load(in).create();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public MockCluster crd(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      client.apiextensions().v1().customResourceDefinitions().load(in).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /**
   * Stores an object straight into the mock's storage as its create handler would (uid,
   * resourceVersion, creationTimestamp), without HTTP and without the handler's scan of every
   * stored object for a duplicate, which makes 10,000 creates quadratic.
   */
  public void seed(String collectionPath, HasMetadata object) {
    GenericKubernetesResource resource =
        Serialization.unmarshal(Serialization.asJson(object), GenericKubernetesResource.class);
    resource.getMetadata().setUid(UUID.randomUUID().toString());
    resource.getMetadata().setResourceVersion(Long.toString(api.crud.requestResourceVersion()));
    resource
        .getMetadata()
        .setCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    AttributeSet key =
        api.crud
            .getKey(collectionPath)
            .add(new Attribute("name", resource.getMetadata().getName()));
    api.crud.processEvent(collectionPath, key, null, resource, Serialization.asJson(resource));
  }

  /** Requests seen so far, as "METHOD path?query". */
  public List<String> requests() {
    return List.copyOf(api.log);
  }

  public long count(Predicate<String> request) {
    return api.log.stream().filter(request).count();
  }

  public void clearRequests() {
    api.log.clear();
  }

  /** The next request matching {@code request} gets {@code code} instead of an answer. */
  public void failNext(Predicate<String> request, int code) {
    failNext(request, code, "injected");
  }

  /** Same, with the Status message a real API server would give. */
  public void failNext(Predicate<String> request, int code, String message) {
    api.faults.add(new Fault(request, code, message));
  }

  /**
   * Answers GET /version as a Kubernetes {@code 1.<minor>} would (null: as the plain mock, which
   * has no answer).
   */
  public void kubernetesVersion(Integer minor) {
    api.minor = minor;
  }

  /**
   * Makes writes matching {@code request} drop every {@code field} from their body before it is
   * stored, as an API server does with a field it does not know or whose feature gate is off.
   */
  public void dropFields(Predicate<String> request, String field) {
    api.drop = request == null ? null : new Drop(request, field);
  }

  private record Drop(Predicate<String> request, String field) {}

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private record Fault(Predicate<String> request, int code, String message) {}

  /** Dispatches to the CRUD mock, adding paging, group discovery, a request log and faults. */
  private static final class ApiServer extends Dispatcher {
    final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    final List<String> log = new CopyOnWriteArrayList<>();
    final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    volatile Integer minor;
    volatile Drop drop;
    private final Map<String, List<JsonNode>> snapshots = new ConcurrentHashMap<>();
    private final AtomicInteger snapshotIds = new AtomicInteger();
    private final ObjectMapper json = Serialization.jsonMapper();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String line = request.getMethod() + " " + request.getPath();
      log.add(line);
      for (Fault f : faults) {
        if (f.request().test(line) && faults.remove(f)) {
          return new MockResponse()
              .setResponseCode(f.code())
              .setBody(
                  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                      + f.code()
                      + ",\"message\":"
                      + json.valueToTree(f.message())
                      + "}");
        }
      }
      Map<String, String> query = query(request.getPath());
      if (request.method() == HttpMethod.GET && path(request.getPath()).equals("/version")) {
        Integer m = minor;
        if (m != null) {
          return ok(
              json.createObjectNode()
                  .put("major", "1")
                  .put("minor", m.toString())
                  .put("gitVersion", "v1." + m + ".3"));
        }
      }
      Drop d = drop;
      if (d != null
          && (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT)
          && d.request().test(line)) {
        try {
          JsonNode body = json.readTree(request.getUtf8Body());
          body.findParents(d.field()).forEach(p -> ((ObjectNode) p).remove(d.field()));
          request =
              new RecordedRequest(
                  request.getHttpVersion(),
                  request.method(),
                  request.getPath(),
                  request.getHeaders(),
                  new io.fabric8.mockwebserver.http.Buffer().writeUtf8(body.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (request.method() == HttpMethod.GET && path(request.getPath()).equals("/apis")) {
        return ok(groups());
      }
      if (request.method() == HttpMethod.GET
          && query.containsKey("limit")
          && !"true".equals(query.get("watch"))) {
        return page(request.getPath(), query);
      }
      return crud.dispatch(request);
    }

    private MockResponse page(String fullPath, Map<String, String> query) {
      int limit = Integer.parseInt(query.get("limit"));
      String token = query.get("continue");
      String id;
      int offset;
      if (token == null || token.isEmpty()) {
        query.remove("limit");
        String plain = path(fullPath) + encode(query);
        MockResponse all = crud.handleGet(plain);
        if (all.code() != 200) {
          return all;
        }
        List<JsonNode> items = new ArrayList<>();
        try {
          json.readTree(all.getBody().readUtf8()).path("items").forEach(items::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        id = "s" + snapshotIds.incrementAndGet();
        snapshots.put(id, items);
        offset = 0;
      } else {
        id = token.substring(0, token.indexOf(':'));
        offset = Integer.parseInt(token.substring(token.indexOf(':') + 1));
      }
      List<JsonNode> items = snapshots.get(id);
      if (items == null) {
        return new MockResponse()
            .setResponseCode(410)
            .setBody("{\"kind\":\"Status\",\"code\":410}");
      }
      int end = Math.min(items.size(), offset + limit);
      ObjectNode list = json.createObjectNode();
      list.put("apiVersion", "v1").put("kind", "List");
      ObjectNode meta = list.putObject("metadata");
      meta.put("resourceVersion", "1");
      if (end < items.size()) {
        meta.put("continue", id + ":" + end);
      } else {
        snapshots.remove(id);
      }
      ArrayNode out = list.putArray("items");
      items.subList(offset, end).forEach(out::add);
      return ok(list);
    }

    /** An APIGroupList built from the CRDs in storage, as a real API server serves it. */
    private JsonNode groups() {
      Map<String, List<String>> versions = new LinkedHashMap<>();
      Map<String, String> preferred = new HashMap<>();
      try {
        JsonNode crds =
            json.readTree(
                crud.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                    .getBody()
                    .readUtf8());
        for (JsonNode crd : crds.path("items")) {
          String group = crd.path("spec").path("group").asText();
          for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("served").asBoolean(true)) {
              versions.computeIfAbsent(group, g -> new ArrayList<>()).add(v.path("name").asText());
              if (v.path("storage").asBoolean(false)) {
                preferred.put(group, v.path("name").asText());
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ObjectNode list = json.createObjectNode().put("apiVersion", "v1").put("kind", "APIGroupList");
      ArrayNode groups = list.putArray("groups");
      versions.forEach(
          (group, vs) -> {
            ObjectNode g = groups.addObject().put("name", group);
            ArrayNode gvs = g.putArray("versions");
            vs.forEach(v -> gvs.addObject().put("groupVersion", group + "/" + v).put("version", v));
            String p = preferred.getOrDefault(group, vs.get(0));
            g.putObject("preferredVersion").put("groupVersion", group + "/" + p).put("version", p);
          });
      return list;
    }

    private MockResponse ok(JsonNode body) {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(body.toString());
    }

    private static String path(String full) {
      int q = full.indexOf('?');
      return q < 0 ? full : full.substring(0, q);
    }

    private static Map<String, String> query(String full) {
      Map<String, String> out = new LinkedHashMap<>();
      int q = full.indexOf('?');
      if (q < 0) {
        return out;
      }
      for (String pair : full.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!k.equals("continue") || !v.isEmpty()) {
          out.put(k, v);
        }
      }
      return out;
    }

    private static String encode(Map<String, String> query) {
      query.remove("continue");
      if (query.isEmpty()) {
        return "";
      }
      StringBuilder b = new StringBuilder("?");
      query.forEach(
          (k, v) ->
              b.append(b.length() > 1 ? "&" : "")
                  .append(k)
                  .append('=')
                  .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
      return b.toString();
    }
  }
}
