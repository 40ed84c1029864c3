package io.configguard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Fabric8 CRUD mock API server, made to behave like a real one where configguard depends on it:
 * list calls with {@code limit} are paged with {@code continue} tokens over a snapshot (the mock
 * alone returns everything at once, which no client can bound), {@code GET /apis} lists the groups
 * of the CRDs created, the lease-access check of leader election is granted, and server-side apply
 * is taken as the merge patch it amounts to for the operator's finalizer. Every request is recorded
 * so tests can count list calls and writes; faults can be injected.
 *
 * <p>Metadata-only requests are answered as kube-apiserver v1.28 answers them (checked with curl
 * against one, see bench/README.md): a list whose {@code Accept} asks for {@code
 * as=PartialObjectMetadataList;g=meta.k8s.io;v=v1} gets {@code {"kind":
 * "PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{...},"items":[{"kind":
 * "PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}]}} (each item's whole
 * metadata, nothing else); a watch asking for {@code as=PartialObjectMetadata} gets events whose
 * object has that shape. Such a watch from a resourceVersion does not replay older objects (the
 * plain mock sends every object as ADDED on each watch), and {@link #expireMetadataWatches} ends
 * the open ones with {@code ERROR} {@code 410 Expired}, as a server does when the version was
 * compacted away; {@link #deafenMetadataWatches} makes them miss events until then.
 */
public final class MockCluster implements AutoCloseable, AfterAllCallback {
  // Kept strongly: the mock logs every request at INFO, which slows seeding 10,000 objects.
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  private static final String APPLY_PATCH = "application/apply-patch+yaml";
  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final String AS_METADATA_LIST = "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
  private static final String AS_METADATA = "as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private final ApiServer api = new ApiServer();

  public MockCluster() {
    server =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
    server.init();
    client = client();
  }

  /**
   * A new client of this server; {@code interceptors} see each request in order (one that stops a
   * request keeps it from the later ones). It waits 60 s for an answer: the mock answers slowly
   * while it pages thousands of objects on a loaded machine (with the default 10 s,
   * OperatorMemoryIT's operator failed to start its freeze informer in CI at load average 20).
   */
  public KubernetesClient client(Interceptor... interceptors) {
    return server.createClient(
        b ->
            b.editOrNewConfig()
                .withRequestTimeout(60_000)
                .endConfig()
                .withHttpClientBuilderConsumer(
                    h -> {
                      for (int i = 0; i < interceptors.length; i++) {
                        h.addOrReplaceInterceptor("interceptor-" + i, interceptors[i]);
                      }
                    }));
  }

  /** Creates configguard's policy CRDs (from crds/) so status-subresource semantics apply. */
  public MockCluster withPolicyCrds() {
    crd(Path.of("crds/configpolicies.configguard.io-v1.yml"));
    crd(Path.of("crds/clusterconfigpolicies.configguard.io-v1.yml"));
    return this;
  }

  /** Creates every CRD under crds/ (all of configguard's kinds). */
  public MockCluster withCrds() {
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      files.filter(f -> f.toString().endsWith(".yml")).sorted().forEach(this::crd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
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
    resource.getMetadata().setResourceVersion(Long.toString(api.requestResourceVersion()));
    resource
        .getMetadata()
        .setCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    AttributeSet key =
        api.getKey(collectionPath).add(new Attribute("name", resource.getMetadata().getName()));
    api.processEvent(collectionPath, key, null, resource, Serialization.asJson(resource));
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

  /** List calls with {@code limit} answered (pages, the first and each continued one). */
  public int pagedLists() {
    return api.pagedLists.get();
  }

  /** Metadata-only list calls answered (each page counts). */
  public int metadataLists() {
    return api.metadataLists.get();
  }

  /** Metadata-only watches opened. */
  public int metadataWatches() {
    return api.metadataWatches.get();
  }

  /** Bytes of the metadata-only list pages and watch events sent. */
  public long metadataBytes() {
    return api.metadataBytes.get();
  }

  /** Ends every open metadata-only watch as a server does when its version was compacted. */
  public void expireMetadataWatches() {
    for (ApiServer.MetadataSocket socket : api.metadataSockets) {
      socket.out.send(
          "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
              + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
              + "\"reason\":\"Expired\",\"code\":410}}");
      socket.out.close(1000, "expired");
      api.metadataSockets.remove(socket);
    }
  }

  /** Open metadata-only watches stop passing events on (a partition), until they expire. */
  public void deafenMetadataWatches() {
    api.metadataSockets.forEach(socket -> socket.deaf = true);
  }

  /**
   * Registered on a test class ({@code @RegisterExtension static final MockCluster cluster = new
   * MockCluster()...}), the server is stopped after the class's last test.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private record Fault(Predicate<String> request, int code, String message) {}

  private record Drop(Predicate<String> request, String field) {}

  /** The CRUD mock, with paging, discovery, metadata-only answers, a request log and faults. */
  private static final class ApiServer extends KubernetesCrudDispatcher {
    // Not a CopyOnWriteArrayList: a benchmark sends 20,000 requests, and each add would copy them.
    final Queue<String> log = new ConcurrentLinkedQueue<>();
    final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    volatile Integer minor;
    volatile Drop drop;
    final AtomicInteger pagedLists = new AtomicInteger();
    final AtomicInteger metadataLists = new AtomicInteger();
    final AtomicInteger metadataWatches = new AtomicInteger();
    final AtomicLong metadataBytes = new AtomicLong();
    final Set<MetadataSocket> metadataSockets = ConcurrentHashMap.newKeySet();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final AtomicInteger snapshotIds = new AtomicInteger();
    private final ObjectMapper json = Serialization.jsonMapper();

    /** A list being paged: its items and the resourceVersion it was taken at. */
    private record Snapshot(List<JsonNode> items, String resourceVersion) {}

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String line = request.getMethod() + " " + request.getPath();
      log.add(line);
      for (Fault f : faults) {
        if (f.request().test(line) && faults.remove(f)) {
          return status(f.code(), null, f.message());
        }
      }
      String path = path(request.getPath());
      Map<String, String> query = query(request.getPath());
      boolean get = request.method() == HttpMethod.GET;
      boolean watch = "true".equals(query.get("watch"));
      String accept = String.valueOf(request.getHeader("Accept"));
      Integer m = minor;
      if (get && path.equals("/version") && m != null) {
        return ok(
            json.createObjectNode()
                .put("major", "1")
                .put("minor", m.toString())
                .put("gitVersion", "v1." + m + ".3"));
      }
      if (get && path.equals("/apis")) {
        return ok(groups());
      }
      if (request.method() == HttpMethod.POST
          && path.equals("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        // The lease-access check of leader election (the mock answers it 422).
        return new MockResponse()
            .setResponseCode(201)
            .setHeader("Content-Type", "application/json")
            .setBody(
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                    + "\"status\":{\"incomplete\":false,\"resourceRules\":[{\"apiGroups\":"
                    + "[\"coordination.k8s.io\"],\"resources\":[\"leases\"],\"verbs\":"
                    + "[\"get\",\"create\",\"update\",\"patch\"]}]}}");
      }
      request = rewrite(request, line);
      if (get && watch && accept.contains(AS_METADATA)) {
        metadataWatches.incrementAndGet();
        MockResponse response = super.dispatch(request);
        if (response.getWebSocketListener() != null) {
          response.withWebSocketUpgrade(
              new MetadataWatch(response.getWebSocketListener(), query.get("resourceVersion")));
        }
        return response;
      }
      MockResponse response;
      if (get && !watch && query.containsKey("limit")) {
        pagedLists.incrementAndGet();
        response = page(path, query);
      } else {
        response = super.dispatch(request);
      }
      if (get && !watch && accept.contains(AS_METADATA_LIST) && response.code() == 200) {
        metadataLists.incrementAndGet();
        response.setBody(metadataList(response.getBody().readUtf8()));
        metadataBytes.addAndGet(response.getBody().size());
      }
      return response;
    }

    /**
     * Server-side apply as a merge patch of the same body (the mock has none; the operator applies
     * only its finalizer with it, a partial object holding the finalizer, which a merge patch adds
     * alike), and the fields {@link MockCluster#dropFields} names taken out of a write's body.
     */
    private RecordedRequest rewrite(RecordedRequest request, String line) {
      if (request.method() == HttpMethod.PATCH
          && String.valueOf(request.getHeader("Content-Type")).startsWith(APPLY_PATCH)) {
        return new RecordedRequest(
            request.getHttpVersion(),
            request.method(),
            request.getPath(),
            request.getHeaders().newBuilder().set("Content-Type", MERGE_PATCH).build(),
            request.getBody());
      }
      Drop d = drop;
      if (d != null
          && (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT)
          && d.request().test(line)) {
        try {
          JsonNode body = json.readTree(request.getUtf8Body());
          body.findParents(d.field()).forEach(p -> ((ObjectNode) p).remove(d.field()));
          return new RecordedRequest(
              request.getHttpVersion(),
              request.method(),
              request.getPath(),
              request.getHeaders(),
              new io.fabric8.mockwebserver.http.Buffer().writeUtf8(body.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return request;
    }

    /**
     * One page of a list, over a snapshot taken at its first page, as kube-apiserver pages: every
     * page carries the snapshot's resourceVersion, and a token whose snapshot is gone gets {@code
     * 410 Expired}.
     */
    private MockResponse page(String path, Map<String, String> query) {
      int limit = Integer.parseInt(query.remove("limit"));
      String token = query.remove("continue");
      String id;
      int offset;
      if (token == null || token.isEmpty()) {
        MockResponse all = handleGet(path + encode(query));
        if (all.code() != 200) {
          return all;
        }
        try {
          JsonNode list = json.readTree(all.getBody().readUtf8());
          List<JsonNode> items = new ArrayList<>();
          list.path("items").forEach(items::add);
          id = "s" + snapshotIds.incrementAndGet();
          snapshots.put(
              id, new Snapshot(items, list.path("metadata").path("resourceVersion").asText("1")));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        offset = 0;
      } else {
        id = token.substring(0, token.indexOf(':'));
        offset = Integer.parseInt(token.substring(token.indexOf(':') + 1));
      }
      Snapshot snapshot = snapshots.get(id);
      if (snapshot == null) {
        return status(410, "Expired", "The provided continue parameter is too old");
      }
      List<JsonNode> items = snapshot.items();
      int end = Math.min(items.size(), offset + limit);
      ObjectNode list = json.createObjectNode();
      list.put("apiVersion", "v1").put("kind", "List");
      ObjectNode meta = list.putObject("metadata");
      meta.put("resourceVersion", snapshot.resourceVersion());
      if (end < items.size()) {
        meta.put("continue", id + ":" + end);
      } else {
        snapshots.remove(id);
      }
      list.putArray("items").addAll(items.subList(offset, end));
      return ok(list);
    }

    /** A list as the API server answers it metadata-only. */
    private String metadataList(String body) {
      try {
        JsonNode list = json.readTree(body);
        ObjectNode out = json.createObjectNode();
        out.put("kind", "PartialObjectMetadataList").put("apiVersion", "meta.k8s.io/v1");
        out.set("metadata", list.path("metadata"));
        ArrayNode items = out.putArray("items");
        list.path("items").forEach(item -> items.add(metadataOnly(item)));
        return out.toString();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private ObjectNode metadataOnly(JsonNode object) {
      ObjectNode out = json.createObjectNode();
      out.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
      out.set("metadata", object.path("metadata"));
      return out;
    }

    /** An APIGroupList built from the CRDs in storage, as a real API server serves it. */
    private JsonNode groups() {
      Map<String, List<String>> versions = new LinkedHashMap<>();
      Map<String, String> preferred = new HashMap<>();
      try {
        JsonNode crds =
            json.readTree(
                handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
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

    /** A failure Status as the API server sends it (reason may be null). */
    private MockResponse status(int code, String reason, String message) {
      ObjectNode status =
          json.createObjectNode()
              .put("kind", "Status")
              .put("apiVersion", "v1")
              .put("status", "Failure")
              .put("message", message)
              .put("code", code);
      if (reason != null) {
        status.put("reason", reason);
      }
      return ok(status).setResponseCode(code);
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
        out.put(k, v);
      }
      return out;
    }

    private static String encode(Map<String, String> query) {
      StringBuilder b = new StringBuilder();
      query.forEach(
          (k, v) ->
              b.append(b.length() == 0 ? "?" : "&")
                  .append(k)
                  .append('=')
                  .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
      return b.toString();
    }

    /** The CRUD mock's watch, its events cut to metadata and its replay cut at the version. */
    private final class MetadataWatch extends WebSocketListener {
      private final WebSocketListener inner;
      private final long from;
      private volatile MetadataSocket socket;

      MetadataWatch(WebSocketListener inner, String resourceVersion) {
        this.inner = inner;
        long v;
        try {
          v = resourceVersion == null ? 0 : Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
          v = 0;
        }
        this.from = v;
      }

      private MetadataSocket socket(WebSocket ws) {
        if (socket == null) {
          socket = new MetadataSocket(ws, from);
          metadataSockets.add(socket);
        }
        return socket;
      }

      @Override
      public void onBeforeAccept(WebSocket ws, Response response) {
        inner.onBeforeAccept(socket(ws), response);
      }

      @Override
      public void onOpen(WebSocket ws, Response response) {
        inner.onOpen(socket(ws), response);
      }

      @Override
      public void onMessage(WebSocket ws, String text) {
        inner.onMessage(socket(ws), text);
      }

      @Override
      public void onClosing(WebSocket ws, int code, String reason) {
        metadataSockets.remove(socket(ws));
        inner.onClosing(socket(ws), code, reason);
      }

      @Override
      public void onClosed(WebSocket ws, int code, String reason) {
        metadataSockets.remove(socket(ws));
        inner.onClosed(socket(ws), code, reason);
      }

      @Override
      public void onFailure(WebSocket ws, Throwable t, Response response) {
        metadataSockets.remove(socket(ws));
        inner.onFailure(socket(ws), t, response);
      }
    }

    /** A metadata-only watch's socket: sends the CRUD mock's events cut to metadata. */
    private final class MetadataSocket implements WebSocket {
      final WebSocket out;
      final long from;
      volatile boolean deaf;

      MetadataSocket(WebSocket out, long from) {
        this.out = out;
        this.from = from;
      }

      @Override
      public RecordedRequest request() {
        return out.request();
      }

      @Override
      public boolean send(String text) {
        if (deaf) {
          return true;
        }
        try {
          ObjectNode event = (ObjectNode) json.readTree(text);
          JsonNode object = event.path("object");
          long version = object.path("metadata").path("resourceVersion").asLong(Long.MAX_VALUE);
          if (from > 0 && "ADDED".equals(event.path("type").asText()) && version <= from) {
            return true; // a real server sends only what changed after the version watched from
          }
          if (object.has("metadata")) {
            event.set("object", metadataOnly(object));
          }
          String sent = event.toString();
          metadataBytes.addAndGet(sent.length());
          return out.send(sent);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public boolean send(byte[] bytes) {
        return send(new String(bytes, StandardCharsets.UTF_8));
      }

      @Override
      public boolean close(int code, String reason) {
        return out.close(code, reason);
      }
    }
  }
}
