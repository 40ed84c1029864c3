package io.configguard.rollout;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.EventHandler;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The name and resourceVersion of every ConfigMap in the cluster, and nothing else, to learn that a
 * rollout's source changed: its content is then read from the API ({@link SourceContents}).
 *
 * <p>A ConfigMap may hold 1 MiB and a cluster thousands of them; configguard needs none of that
 * content for ConfigMaps that are nobody's source. So this lists and watches them metadata-only, as
 * Kubernetes' own garbage collector does: the {@code Accept} header asks the API server for {@code
 * PartialObjectMetadataList} (list) and {@code PartialObjectMetadata} (watch events), which carry
 * no {@code data}. Fabric8 7.5 has no such informer (its watch refuses any kind but the one
 * watched), hence this small one:
 *
 * <ul>
 *   <li>start: a paged list ({@code limit}, {@code continue}), parsed as a token stream that keeps
 *       three strings per ConfigMap;
 *   <li>then a watch from the list's resourceVersion over a WebSocket (as Fabric8's watches), with
 *       bookmarks; each event updates the version and, when it moved, triggers the GuardedRollouts
 *       whose source the ConfigMap is;
 *   <li>the watch ends (the server's timeout, a dropped connection): a new one from the last
 *       version seen; {@code 410 Gone} (the version is too old): a fresh list, and every ConfigMap
 *       whose version differs from before (or that came or went) triggers its rollouts.
 * </ul>
 *
 * A server that ignores the header answers whole objects (the Fabric8 mock server does); only the
 * three strings are kept of them, so what stays in memory is the same, only the transfer and the
 * transient page grow.
 */
final class ConfigMapVersions extends AbstractEventSource<ConfigMap, GuardedRollout> {
  private static final Logger LOG = Logger.getLogger(ConfigMapVersions.class);

  /** Metadata only, whole objects from a server that cannot. */
  static final String LIST_ACCEPT =
      "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

  static final String WATCH_ACCEPT =
      "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

  private static final String PATH = "api/v1/configmaps";
  private static final JsonFactory JSON = new JsonFactory();
  private static final long MAX_BACKOFF_MS = 30_000;
  private static final int LIST_ATTEMPTS = 4;

  private final KubernetesClient client;
  private final Function<ResourceID, Set<ResourceID>> rolloutsSourcing;
  private final long pageSize;
  private final Map<ResourceID, String> versions = new ConcurrentHashMap<>();
  private final AtomicInteger lists = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile ScheduledExecutorService worker;
  private volatile WebSocket socket;
  private volatile boolean running;

  /**
   * @param rolloutsSourcing the GuardedRollouts whose source a ConfigMap is
   * @param pageSize {@code limit} of each list call
   */
  ConfigMapVersions(
      KubernetesClient client,
      String name,
      Function<ResourceID, Set<ResourceID>> rolloutsSourcing,
      long pageSize) {
    super(ConfigMap.class, name);
    this.client = client;
    this.rolloutsSourcing = rolloutsSourcing;
    this.pageSize = pageSize;
  }

  /** The resourceVersion of a ConfigMap as last seen, empty when none exists. */
  Optional<String> version(ResourceID id) {
    return Optional.ofNullable(versions.get(id));
  }

  int size() {
    return versions.size();
  }

  /** Lists completed so far: one at start, one more for each {@code 410 Gone}. */
  int lists() {
    return lists.get();
  }

  @Override
  public Set<ConfigMap> getSecondaryResources(GuardedRollout primary) {
    return Set.of(); // read through version() and SourceContents
  }

  /** Lists every ConfigMap (so a rollout's first pass sees its source), then watches. */
  @Override
  public void start() throws OperatorException {
    running = true;
    worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "configguard-configmap-versions");
              t.setDaemon(true);
              return t;
            });
    String version;
    try {
      version = list(false);
    } catch (IOException | RuntimeException e) {
      running = false;
      worker.shutdownNow();
      throw new OperatorException("could not list ConfigMaps: " + e.getMessage(), e);
    }
    watch(version);
    super.start();
  }

  @Override
  public void stop() throws OperatorException {
    running = false;
    WebSocket open = socket;
    if (open != null) {
      open.sendClose(1000, "stopping");
    }
    if (worker != null) {
      worker.shutdownNow();
    }
    super.stop();
  }

  /**
   * Lists all ConfigMaps page by page into a new map and replaces the old one with it.
   *
   * @param notify whether ConfigMaps that changed, came or went since the last list trigger their
   *     rollouts (a relist after {@code 410 Gone}, where watch events were missed)
   * @return the list's resourceVersion, to watch from
   */
  private String list(boolean notify) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        String version = listOnce(notify);
        lists.incrementAndGet();
        return version;
      } catch (IOException | KubernetesClientException e) {
        // A pooled connection the server closed, a server restarting: a few tries, then give up
        // (at start: the operator does not start; later: the watch loop backs off and lists again).
        if (attempt == LIST_ATTEMPTS || !running) {
          throw e;
        }
        LOG.debugf("listing ConfigMaps failed (%s); trying again", e.getMessage());
        try {
          Thread.sleep(500L << attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private String listOnce(boolean notify) throws IOException {
    Map<ResourceID, String> seen = new HashMap<>();
    String continueToken = null;
    String version;
    while (true) {
      String query = "?limit=" + pageSize;
      if (continueToken != null) {
        query += "&continue=" + URLEncoder.encode(continueToken, StandardCharsets.UTF_8);
      }
      HttpResponse<byte[]> response = get(query, LIST_ACCEPT);
      if (response.code() == 410 && continueToken != null) {
        // The continue token expired (compaction): start over.
        seen.clear();
        continueToken = null;
        continue;
      }
      if (!response.isSuccessful()) {
        throw failure(response);
      }
      // A page is read whole, as Fabric8 reads its own (closing a streamed body early can close a
      // pooled connection another request already holds); metadata-only, 500 items are ~0.4 MB.
      try (JsonParser parser = JSON.createParser(response.body())) {
        Page page = page(parser, seen);
        version = page.version;
        continueToken = page.continueToken;
      }
      if (continueToken == null || continueToken.isEmpty()) {
        break;
      }
    }
    if (notify) {
      for (ResourceID id : versions.keySet()) {
        if (!seen.containsKey(id)) {
          versions.remove(id);
          changed(id);
        }
      }
      seen.forEach(
          (id, v) -> {
            if (!v.equals(versions.put(id, v))) {
              changed(id);
            }
          });
    } else {
      versions.keySet().retainAll(seen.keySet());
      versions.putAll(seen);
    }
    return version;
  }

  private HttpResponse<byte[]> get(String query, String accept) throws IOException {
    HttpClient http = client.getHttpClient();
    try {
      return http.sendAsync(
              http.newHttpRequestBuilder().uri(uri(query)).setHeader("Accept", accept).build(),
              byte[].class)
          .get(client.getConfiguration().getRequestTimeout() + 10_000L, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(e);
    }
  }

  private URI uri(String query) {
    String master = client.getMasterUrl().toString();
    return URI.create((master.endsWith("/") ? master : master + "/") + PATH + query);
  }

  private static KubernetesClientException failure(HttpResponse<byte[]> response) {
    byte[] bytes = response.body() == null ? new byte[0] : response.body();
    String body = new String(bytes, 0, Math.min(bytes.length, 2048), StandardCharsets.UTF_8);
    return new KubernetesClientException(
        "listing ConfigMaps: HTTP " + response.code() + " " + body, response.code(), null);
  }

  private record Page(String version, String continueToken) {}

  /** Reads one list page: each item's three strings into {@code into}, skipping all else. */
  private static Page page(JsonParser parser, Map<ResourceID, String> into) throws IOException {
    Metadata list = new Metadata();
    expect(parser.nextToken(), JsonToken.START_OBJECT);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
        list.read(parser);
      } else if ("items".equals(field) && value == JsonToken.START_ARRAY) {
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          Meta meta = object(parser);
          if (meta.name != null && meta.version != null) {
            into.put(meta.id(), meta.version);
          }
        }
      } else {
        parser.skipChildren();
      }
    }
    return new Page(list.version, list.continueToken);
  }

  /** Name, namespace and resourceVersion of an object (or a Status's code). */
  private record Meta(String namespace, String name, String version, int code) {
    ResourceID id() {
      return new ResourceID(name, namespace == null ? null : namespace.intern());
    }
  }

  /** Reads the object the parser is at the start of, keeping its metadata's three strings. */
  private static Meta object(JsonParser parser) throws IOException {
    Metadata meta = new Metadata();
    int code = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
        meta.read(parser);
      } else if ("code".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
        code = parser.getIntValue();
      } else {
        parser.skipChildren();
      }
    }
    return new Meta(meta.namespace, meta.name, meta.version, code);
  }

  /** The strings kept from a metadata object, of a list (version, continue) or of an object. */
  private static final class Metadata {
    String namespace;
    String name;
    String version;
    String continueToken;

    /** Reads the metadata object the parser is at the start of, skipping all else. */
    void read(JsonParser parser) throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        parser.nextToken();
        switch (key) {
          case "name" -> name = parser.getValueAsString();
          case "namespace" -> namespace = parser.getValueAsString();
          case "resourceVersion" -> version = parser.getValueAsString();
          case "continue" -> continueToken = parser.getValueAsString();
          default -> parser.skipChildren();
        }
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + ", got " + actual);
    }
  }

  /** Opens a watch from {@code version}; its end schedules the next one (or a relist). */
  private void watch(String version) {
    if (!running) {
      return;
    }
    // A real server ends the watch after timeoutSeconds; spread like client-go's reflector.
    long timeout = 300 + ThreadLocalRandom.current().nextLong(300);
    String query =
        "?watch=true&allowWatchBookmarks=true&timeoutSeconds="
            + timeout
            + (version == null
                ? ""
                : "&resourceVersion=" + URLEncoder.encode(version, StandardCharsets.UTF_8));
    Watch listener = new Watch(version);
    client
        .getHttpClient()
        .newWebSocketBuilder()
        .uri(uri(query))
        .setHeader("Accept", WATCH_ACCEPT)
        .connectTimeout(client.getConfiguration().getConnectionTimeout(), TimeUnit.MILLISECONDS)
        .buildAsync(listener)
        .whenComplete(
            (ws, error) -> {
              if (error != null) {
                listener.failed(error);
              } else {
                socket = ws;
              }
            });
  }

  /** One watch: its events, then what comes after it. */
  private final class Watch implements WebSocket.Listener {
    private volatile String version;
    private volatile boolean gone;
    private volatile boolean ended;
    private volatile boolean eventSeen;

    Watch(String version) {
      this.version = version;
    }

    @Override
    public void onOpen(WebSocket ws) {
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      try {
        event(text);
      } catch (IOException | RuntimeException e) {
        LOG.warnf("ConfigMap watch: unreadable event (%s); watching again", e.getMessage());
        ws.sendClose(1000, "unreadable event");
        return;
      }
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, java.nio.ByteBuffer bytes) {
      onMessage(ws, StandardCharsets.UTF_8.decode(bytes).toString());
    }

    private void event(String text) throws IOException {
      String type = null;
      Meta meta = null;
      try (JsonParser parser = JSON.createParser(text)) {
        expect(parser.nextToken(), JsonToken.START_OBJECT);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          JsonToken value = parser.nextToken();
          if ("type".equals(field)) {
            type = parser.getValueAsString();
          } else if ("object".equals(field) && value == JsonToken.START_OBJECT) {
            meta = object(parser);
          } else {
            parser.skipChildren();
          }
        }
      }
      if (type == null || meta == null) {
        throw new IOException("not a watch event");
      }
      switch (type) {
        case "ADDED", "MODIFIED" -> {
          if (!Objects.equals(meta.version, versions.put(meta.id(), meta.version))) {
            changed(meta.id());
          }
        }
        case "DELETED" -> {
          if (versions.remove(meta.id()) != null) {
            changed(meta.id());
          }
        }
        case "BOOKMARK" -> {}
        case "ERROR" -> {
          if (meta.code == 410) {
            gone = true;
          }
          throw new IOException("watch error " + meta.code);
        }
        default -> throw new IOException("unknown watch event " + type);
      }
      if (meta.version != null) {
        version = meta.version;
      }
      eventSeen = true;
      failures.set(0);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      ws.sendClose(code, reason);
      if (!eventSeen && !gone) {
        failures.incrementAndGet(); // a watch closed without a word: back off before the next
      }
      next();
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      failed(error);
    }

    void failed(Throwable error) {
      if (error instanceof WebSocketHandshakeException handshake
          && handshake.getResponse().code() == 410) {
        gone = true;
      } else if (running) {
        failures.incrementAndGet();
        LOG.debugf(error, "ConfigMap watch failed");
      }
      next();
    }

    /** Once per watch: watch again from the last version, or list again after 410 Gone. */
    private synchronized void next() {
      if (ended || !running) {
        return;
      }
      ended = true;
      int failed = failures.get();
      long delay = failed == 0 ? 0 : Math.min(MAX_BACKOFF_MS, 500L << Math.min(failed, 6));
      try {
        worker.schedule(
            () -> {
              try {
                watch(gone || version == null ? list(true) : version);
              } catch (IOException | RuntimeException e) {
                failures.incrementAndGet();
                LOG.warnf("ConfigMap list failed (%s); trying again", e.getMessage());
                gone = true;
                ended = false;
                next();
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // stopping
      }
    }
  }

  /** Triggers the GuardedRollouts whose source {@code id} is. */
  private void changed(ResourceID id) {
    EventHandler handler = getEventHandler();
    if (handler == null || !isRunning()) {
      return;
    }
    rolloutsSourcing.apply(id).forEach(rollout -> handler.handleEvent(new Event(rollout)));
  }
}
