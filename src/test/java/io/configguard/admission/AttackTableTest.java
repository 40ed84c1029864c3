package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.policy.Timing;
import io.configguard.policy.Timing.Timed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The named attacks of docs/security.md, each a request body through the webhook's HTTP resource
 * (decoding, review checks, handler) against admission/attacks/policies.yaml. Each gets a clear
 * answer, fast: the best of five calls after five warm-up calls (class loading and CEL's first
 * compilation excluded) takes at most {@link #FACTOR} times a bare JSON parse of a benign body of
 * the same size (at least 64 KiB) measured in the same run, so a loaded machine slows both sides
 * alike (the absolute figures: bench/README.md). The 3 MiB + 1 body is refused by the HTTP layer:
 * WebhookHttpsIT.
 */
class AttackTableTest {
  static final double FACTOR = 100;

  /**
   * The CEL cost bomb runs until the CEL cost limit (100,000 steps) stops it, whatever the body's
   * size: 100 to 700 bare parses of 64 KiB on the build machine (bench/README.md). The answer
   * proves the limit stopped it; this bound only catches a limit that no longer does.
   */
  static final double CEL_COST_LIMIT_FACTOR = 5000;

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET_VALUE = "{\"password\": \"hunter2-do-not-print\"}";
  static final String SECRET_BASE64 =
      Base64.getEncoder().encodeToString(SECRET_VALUE.getBytes(StandardCharsets.UTF_8));
  static AdmissionResource resource;
  static LogCapture log;

  @BeforeAll
  static void loadPolicies() throws Exception {
    Webhook webhook = new Webhook(new SimpleMeterRegistry(), java.util.Optional.empty());
    webhook.loadPolicies(List.of(Path.of("src/test/resources/admission/attacks")), "default");
    resource = new AdmissionResource(webhook);
    log = LogCapture.attach("io.configguard");
  }

  @AfterAll
  static void detach() {
    log.detach();
  }

  static Stream<Arguments> attacks() {
    return Stream.of(
        attack(
            "YAML billion laughs",
            () -> configMap("laughs", data("app.yaml", billionLaughs())),
            200,
            "invalid YAML: aliases expand the document to more than"),
        attack(
            "JSON nested 10^5 deep",
            () -> ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8),
            400,
            "malformed JSON: Document nesting depth (1001) exceeds the maximum allowed"),
        attack(
            "100,000 keys",
            () -> {
              ObjectNode data = JSON.createObjectNode();
              for (int i = 0; i < 100_000; i++) {
                data.put("k" + i, "v");
              }
              return configMap("many-keys", data);
            },
            200,
            "100000 keys in data and binaryData, exceeds maxKeys 1000"),
        attack(
            "CEL cost bomb",
            () -> {
              ObjectNode data = JSON.createObjectNode();
              for (int i = 0; i < 300; i++) {
                data.put("k" + i, "v");
              }
              return configMap("cost-bomb", data);
            },
            200,
            "\"code\":403,\"message\":\"cel-cost/pairs: CEL cost limit 100000 exceeded",
            CEL_COST_LIMIT_FACTOR),
        attack(
            "catastrophic-backtracking regex (CEL matches)",
            () -> configMap("backtrack", data("value", "a".repeat(5000) + "!")),
            200,
            "\"allowed\":true"),
        attack(
            "invalid UTF-8",
            () -> {
              byte[] body = configMap("laughs", data("app.yaml", "x: \u00e9"));
              String text = new String(body, StandardCharsets.ISO_8859_1);
              int at = text.indexOf("x: ") + 3;
              body[at] = (byte) 0xC3; // a two-byte lead byte followed by an ASCII byte
              body[at + 1] = (byte) 0x28;
              return body;
            },
            400,
            "malformed JSON: Invalid UTF-8 middle byte"),
        attack(
            "wrong apiVersion",
            () -> review("laughs", object("ConfigMap", "laughs"), r -> r.put("apiVersion", "v1")),
            400,
            "not an admission.k8s.io/v1 AdmissionReview: apiVersion must be admission.k8s.io/v1"),
        attack(
            "wrong kind",
            () -> review("laughs", object("ConfigMap", "laughs"), r -> r.put("kind", "Pod")),
            400,
            "not an admission.k8s.io/v1 AdmissionReview: kind must be AdmissionReview"),
        attack(
            "missing uid",
            () ->
                review(
                    "laughs",
                    object("ConfigMap", "laughs"),
                    r -> ((ObjectNode) r.get("request")).remove("uid")),
            400,
            "request.uid is missing"),
        attack(
            "object kind differs from the request's",
            () -> review("laughs", object("Secret", "laughs"), r -> {}),
            400,
            "request.object.kind Secret differs from request.kind ConfigMap"),
        attack(
            "binaryData with 2.5 MiB of base64",
            () -> {
              ObjectNode cm = object("ConfigMap", "huge-binary");
              String base64 = Base64.getEncoder().encodeToString(new byte[(5 << 20) / 4 * 3 / 2]);
              cm.putObject("binaryData").put("blob", base64);
              return review("huge-binary", cm, r -> {});
            },
            200,
            "binary-size/size: blob: value is 1966080 bytes, exceeds maxBytes 1048576"),
        attack(
            "Secret-shaped object",
            () -> {
              ObjectNode secret = object("Secret", "db");
              secret.putObject("data").put("token", SECRET_BASE64);
              return review("db", secret, r -> {});
            },
            200,
            "secret-shape/token-json: $.data.token is 48 bytes, exceeds maxBytes 8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void answersClearlyAndFast(
      String attack, Supplier<byte[]> body, int status, String answer, double factor)
      throws Exception {
    byte[] bytes = body.get();
    log.lines().clear();
    Timed<Response> timed = Timing.bestOf(5, 5, () -> answer(bytes));
    Response response = timed.result();
    String text = JSON.writeValueAsString(response.getEntity());
    assertThat(response.getStatus()).as(text).isEqualTo(status);
    assertThat(text).contains(answer);
    Timing.assertWithin("attack " + attack, timed, bytes.length, factor);
    for (String secret : List.of(SECRET_BASE64, SECRET_VALUE, "hunter2")) {
      assertThat(text).doesNotContain(secret);
      assertThat(log.lines()).noneMatch(line -> line != null && line.contains(secret));
    }
  }

  private static Response answer(byte[] body) {
    return resource.validate(body);
  }

  private static Arguments attack(String name, Supplier<byte[]> body, int status, String answer) {
    return attack(name, body, status, answer, FACTOR);
  }

  private static Arguments attack(
      String name, Supplier<byte[]> body, int status, String answer, double factor) {
    return Arguments.of(name, body, status, answer, factor);
  }

  private static String billionLaughs() {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char level = 'b'; level <= 'i'; level++) {
      bomb.append(level).append(": &").append(level).append(" [");
      bomb.append(String.join(", ", Collections.nCopies(9, "*" + (char) (level - 1))));
      bomb.append("]\n");
    }
    return bomb.toString();
  }

  private static ObjectNode data(String key, String value) {
    return JSON.createObjectNode().put(key, value);
  }

  private static ObjectNode object(String kind, String name) {
    ObjectNode object = JSON.createObjectNode().put("apiVersion", "v1").put("kind", kind);
    object.putObject("metadata").put("name", name).put("namespace", "edge");
    return object;
  }

  private static byte[] configMap(String name, ObjectNode data) {
    ObjectNode cm = object("ConfigMap", name);
    cm.set("data", data);
    return review(name, cm, r -> {});
  }

  /** A CREATE review shaped like the kube-apiserver 1.28 fixtures, with the kind of object. */
  private static byte[] review(
      String name, ObjectNode object, java.util.function.Consumer<ObjectNode> change) {
    ObjectNode review =
        JSON.createObjectNode().put("apiVersion", Review.API_VERSION).put("kind", Review.KIND);
    ObjectNode request = review.putObject("request").put("uid", "0b6a8c2e-attack");
    String kind =
        object.path("kind").asText().equals("Secret") && !name.equals("laughs")
            ? "Secret"
            : "ConfigMap";
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", kind);
    request
        .putObject("resource")
        .put("group", "")
        .put("version", "v1")
        .put("resource", kind.toLowerCase() + "s");
    request.put("name", name).put("namespace", "edge").put("operation", "CREATE");
    request.putObject("userInfo").put("username", "attacker");
    request.set("object", object);
    request.putNull("oldObject");
    change.accept(review);
    try {
      return JSON.writeValueAsBytes(review);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
