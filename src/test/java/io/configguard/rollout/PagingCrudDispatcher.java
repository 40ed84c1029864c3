package io.configguard.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CRUD mock, answering list calls that carry {@code limit} in pages with {@code continue}
 * tokens over a snapshot, as a real API server does (the mock alone returns everything at once,
 * which no client can bound), and granting the lease-access check of leader election. Counts the
 * paged list calls.
 */
final class PagingCrudDispatcher extends KubernetesCrudDispatcher {
  private final ObjectMapper json = Serialization.jsonMapper();
  private final Map<String, List<JsonNode>> snapshots = new ConcurrentHashMap<>();
  private final Map<String, String> versions = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  final AtomicInteger pagedLists = new AtomicInteger();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
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
    if (request.method() == HttpMethod.GET
        && query.containsKey("limit")
        && !"true".equals(query.get("watch"))) {
      pagedLists.incrementAndGet();
      return page(request.getPath(), query);
    }
    return super.dispatch(request);
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
