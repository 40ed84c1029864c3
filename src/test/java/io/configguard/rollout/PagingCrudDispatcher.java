package io.configguard.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CRUD mock, answering list calls that carry {@code limit} in pages with {@code continue}
 * tokens over a snapshot, as a real API server does (the mock alone returns everything at once,
 * which no client can bound), and granting the lease-access check of leader election. Counts the
 * paged list calls.
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
final class PagingCrudDispatcher extends KubernetesCrudDispatcher {
  private final ObjectMapper json = Serialization.jsonMapper();
  private final Map<String, List<JsonNode>> snapshots = new ConcurrentHashMap<>();
  private final Map<String, String> versions = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  final AtomicInteger pagedLists = new AtomicInteger();

  /** Metadata-only list calls and watches answered, and the bytes of their answers. */
  final AtomicInteger metadataLists = new AtomicInteger();

  private static final String APPLY_PATCH = "application/apply-patch+yaml";
  private static final String MERGE_PATCH = "application/merge-patch+json";
  final AtomicInteger metadataWatches = new AtomicInteger();
  final AtomicLong metadataBytes = new AtomicLong();
  private final Set<MetadataSocket> metadataSockets = ConcurrentHashMap.newKeySet();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (request.method() == HttpMethod.PATCH
        && String.valueOf(request.getHeader("Content-Type")).startsWith(APPLY_PATCH)) {
      // The mock has no server-side apply. The operator applies only its finalizer with it (a
      // partial object holding the finalizer), which a merge patch of the same body adds alike.
      request =
          new RecordedRequest(
              request.getHttpVersion(),
              request.method(),
              request.getPath(),
              request.getHeaders().newBuilder().set("Content-Type", MERGE_PATCH).build(),
              request.getBody());
    }
    if (request.method() == HttpMethod.POST
        && request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
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
    Map<String, String> query = query(request.getPath());
    String accept = String.valueOf(request.getHeader("Accept"));
    boolean watch = "true".equals(query.get("watch"));
    if (request.method() == HttpMethod.GET && watch && accept.contains(AS_METADATA)) {
      metadataWatches.incrementAndGet();
      MockResponse response = super.dispatch(request);
      if (response.getWebSocketListener() != null) {
        response.withWebSocketUpgrade(
            new MetadataWatch(response.getWebSocketListener(), query.get("resourceVersion")));
      }
      return response;
    }
    MockResponse response;
    if (request.method() == HttpMethod.GET && query.containsKey("limit") && !watch) {
      pagedLists.incrementAndGet();
      response = page(request.getPath(), query);
    } else {
      response = super.dispatch(request);
    }
    if (request.method() == HttpMethod.GET
        && !watch
        && accept.contains(AS_METADATA_LIST)
        && response.code() == 200) {
      metadataLists.incrementAndGet();
      response.setBody(metadataList(response.getBody().readUtf8()));
      metadataBytes.addAndGet(response.getBody().size());
    }
    return response;
  }

  static final String AS_METADATA_LIST = "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
  static final String AS_METADATA = "as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

  /** A list as the API server answers it metadata-only. */
  private String metadataList(String body) {
    try {
      ObjectNode list = (ObjectNode) json.readTree(body);
      ObjectNode out = json.createObjectNode();
      out.put("kind", "PartialObjectMetadataList").put("apiVersion", "meta.k8s.io/v1");
      out.set("metadata", list.path("metadata"));
      var items = out.putArray("items");
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

  /** Ends every open metadata-only watch as a server does when its version was compacted. */
  void expireMetadataWatches() {
    for (MetadataSocket socket : metadataSockets) {
      socket.out.send(
          "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
              + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
              + "\"reason\":\"Expired\",\"code\":410}}");
      socket.out.close(1000, "expired");
      metadataSockets.remove(socket);
    }
  }

  /** Open metadata-only watches stop passing events on (a partition), until they expire. */
  void deafenMetadataWatches() {
    metadataSockets.forEach(socket -> socket.deaf = true);
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

  private MockResponse page(String fullPath, Map<String, String> query) {
    int limit = Integer.parseInt(query.get("limit"));
    String token = query.remove("continue");
    String id;
    int offset;
    if (token == null || token.isEmpty()) {
      query.remove("limit");
      MockResponse all = handleGet(path(fullPath) + encode(query));
      if (all.code() != 200) {
        return all;
      }
      List<JsonNode> items = new ArrayList<>();
      try {
        JsonNode list = json.readTree(all.getBody().readUtf8());
        list.path("items").forEach(items::add);
        id = "s" + ids.incrementAndGet();
        versions.put(id, list.path("metadata").path("resourceVersion").asText("1"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      snapshots.put(id, items);
      offset = 0;
    } else {
      id = token.substring(0, token.indexOf(':'));
      offset = Integer.parseInt(token.substring(token.indexOf(':') + 1));
    }
    List<JsonNode> items = snapshots.get(id);
    if (items == null) {
      return new MockResponse().setResponseCode(410).setBody("{\"kind\":\"Status\",\"code\":410}");
    }
    int end = Math.min(items.size(), offset + limit);
    ObjectNode list = json.createObjectNode();
    list.put("apiVersion", "v1").put("kind", "List");
    ObjectNode meta = list.putObject("metadata");
    meta.put("resourceVersion", versions.get(id));
    if (end < items.size()) {
      meta.put("continue", id + ":" + end);
    } else {
      snapshots.remove(id);
      versions.remove(id);
    }
    list.putArray("items").addAll(items.subList(offset, end));
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/json")
        .setBody(list.toString());
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
}
