package io.configguard.admission;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The webhook over real HTTPS: TLS only, AdmissionReview in and out, limits, health, metrics. */
@QuarkusTest
@TestProfile(HttpsProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookHttpsIT {
  @TestHTTPResource(value = "/", tls = true)
  URL root;

  @Inject Webhook webhook;

  RequestSpecification https() {
    return given().relaxedHTTPSValidation().baseUri("https://localhost").port(root.getPort());
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = WebhookHttpsIT.class.getResourceAsStream("/admission/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  @Order(1)
  void notReadyUntilThePoliciesAreLoaded() throws Exception {
    assertThat(root.getProtocol()).isEqualTo("https");
    https().get("/q/health/ready").then().statusCode(503);
    https()
        .contentType("application/json")
        .body(fixture("21-configmap-update-bot-features-doubled.json"))
        .post("/validate")
        .then()
        .statusCode(503)
        .body("message", equalTo("policies are not loaded yet"));

    webhook.loadPolicies(
        List.of(AdmissionFixturesTest.POLICIES, AdmissionFixturesTest.CLOUDFLARE), "default");

    https()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].name", equalTo("configguard policies"))
        .body("checks[0].data.policies", equalTo(7));
  }

  @Test
  @Order(2)
  void deniesTheDoubledFeatureFileOverHttps() throws Exception {
    https()
        .contentType("application/json")
        .body(fixture("21-configmap-update-bot-features-doubled.json"))
        .post("/validate")
        .then()
        .statusCode(200)
        .body("apiVersion", equalTo("admission.k8s.io/v1"))
        .body("kind", equalTo("AdmissionReview"))
        .body("response.uid", equalTo("7d1c2f9e-5b8a-4c3e-9f61-2a0b8e4d5c17"))
        .body("response.allowed", equalTo(false))
        .body("response.status.code", equalTo(403))
        .body(
            "response.status.message",
            containsString(
                "bot-features/features-file: features.json: duplicate \"bot_score\" at"
                    + " $.features[60].name"))
        .body(
            "response.status.message",
            containsString("bot-features/growth: features.json: $.features grew from 60 to 120"));
    https()
        .contentType("application/json")
        .body(fixture("03-configmap-update-edge-routes.json"))
        .post("/validate")
        .then()
        .statusCode(200)
        .body("response.allowed", equalTo(true))
        .body("response.warnings[0]", containsString("edge-routes-advice/many-routes"));
  }

  @Test
  @Order(3)
  void answersBadRequestsWithAReason() throws Exception {
    String review = new String(fixture("01-configmap-create-edge-routes.json"));
    https()
        .contentType("application/json")
        .body("{\"apiVersion\": ")
        .post("/validate")
        .then()
        .statusCode(400)
        .body("message", containsString("malformed JSON"));
    https()
        .contentType("application/json")
        .body(review.replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1"))
        .post("/validate")
        .then()
        .statusCode(400)
        .body("message", containsString("apiVersion must be admission.k8s.io/v1"));
    https()
        .contentType("application/json")
        .body(review.replace("\"uid\": \"e570139c", "\"uuid\": \"e570139c"))
        .post("/validate")
        .then()
        .statusCode(400)
        .body("message", containsString("request.uid is missing"));
    // Refused as fast as a benign body of the same size is answered, in this run (no wall-clock
    // bound: CI machines are shared).
    String deepBody = "[".repeat(100_000) + "]".repeat(100_000);
    String benignBody =
        new String(
            io.configguard.policy.Timing.benignJson(deepBody.length()),
            java.nio.charset.StandardCharsets.UTF_8);
    var deep =
        io.configguard.policy.Timing.bestOf(1, 3, () -> unchecked(() -> post(deepBody, false)));
    var benign =
        io.configguard.policy.Timing.bestOf(1, 3, () -> unchecked(() -> post(benignBody, false)));
    assertThat(deep.result().statusCode()).isEqualTo(400);
    assertThat(deep.result().body()).contains("nesting depth");
    System.out.printf(
        "timing 200,000 nested brackets over HTTPS: %.2f ms, a benign body of the same size %.2f"
            + " ms%n",
        deep.millis(), benign.millis());
    assertThat((double) deep.nanos() / benign.nanos())
        .as(
            "200,000 nested brackets took %.1f ms, a benign body of the same size %.1f ms",
            deep.millis(), benign.millis())
        .isLessThanOrEqualTo(20);
    // As the API server and curl do for large bodies: announce it and wait for 100 Continue.
    // The limit is 3 MiB (quarkus.http.limits.max-body-size): one byte over is refused.
    assertThat(post(" ".repeat(3 * 1024 * 1024 + 1), true).statusCode()).isEqualTo(413);
  }

  private static <T> T unchecked(java.util.concurrent.Callable<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(String body, boolean expectContinue) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    return client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + root.getPort() + "/validate"))
            .header("Content-Type", "application/json")
            .expectContinue(expectContinue)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A client that offers at most TLS 1.1 gets a protocol_version alert. The hello is written by
   * hand because the JDK's own client refuses TLS 1.1 before the server could.
   */
  @Test
  @Order(4)
  void refusesTlsBelowOnePointTwo() throws Exception {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    java.io.ByteArrayOutputStream hello = new java.io.ByteArrayOutputStream();
    hello.write(new byte[] {0x03, 0x02}); // client_version TLS 1.1
    hello.write(random);
    hello.write(0); // no session id
    hello.write(new byte[] {0x00, 0x04, (byte) 0xc0, 0x13, 0x00, 0x2f}); // two CBC suites
    hello.write(new byte[] {0x01, 0x00}); // null compression
    byte[] body = hello.toByteArray();
    java.io.ByteArrayOutputStream record = new java.io.ByteArrayOutputStream();
    record.write(new byte[] {0x16, 0x03, 0x02, 0, (byte) (body.length + 4)});
    record.write(new byte[] {0x01, 0, 0, (byte) body.length});
    record.write(body);
    try (java.net.Socket socket = new java.net.Socket("localhost", root.getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(record.toByteArray());
      byte[] answer = socket.getInputStream().readNBytes(7);
      // An alert record (21): fatal (2), protocol_version (70).
      assertThat(answer).hasSize(7);
      assertThat(answer[0]).isEqualTo((byte) 21);
      assertThat(answer[5]).isEqualTo((byte) 2);
      assertThat(answer[6]).isEqualTo((byte) 70);
    }
  }

  @Test
  @Order(4)
  void servesNoPlainHttp() {
    String plain = "http://localhost:" + root.getPort() + "/q/health/live";
    assertThatThrownBy(
            () -> {
              HttpURLConnection c = (HttpURLConnection) new URL(plain).openConnection();
              c.setConnectTimeout(2000);
              c.setReadTimeout(2000);
              c.getResponseCode();
            })
        .isInstanceOf(IOException.class);
  }

  @Test
  @Order(4)
  void hasNoBenchFloorOutsideTheBenchBuild() throws Exception {
    byte[] review = fixture("01-configmap-create-edge-routes.json");
    https().contentType("application/json").body(review).post("/validate").then().statusCode(200);
    https()
        .contentType("application/json")
        .body(review)
        .post("/bench/allow")
        .then()
        .statusCode(404);
  }

  @Test
  @Order(5)
  void countsRequestsByResultWithALatencyHistogram() {
    String metrics = https().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern("configguard_admission_requests_total\\{result=\"denied\"} [1-9]")
        .containsPattern("configguard_admission_requests_total\\{result=\"warned\"} [1-9]")
        .containsPattern("configguard_admission_requests_total\\{result=\"error\"} [1-9]")
        .contains("configguard_admission_duration_seconds_bucket{le=")
        .contains("configguard_policy_compile_errors_total")
        .contains(
            "configguard_admission_violations_total{enforcement=\"Deny\",policy=\"bot-features\",rule=\"growth\"}")
        .containsPattern("configguard_policies [1-9]");
  }

  @Test
  @Order(6)
  void servesARotatedCertificateWithoutARestart() throws Exception {
    BigInteger before = servedSerial();
    HttpsProfile.rotate();
    // A handshake that lands on the instant Vert.x swaps its SSL context can be dropped (seen
    // here); what counts is that the new certificate is served, and steadily, right after.
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> !servedSerial().equals(before));
    BigInteger after = servedSerial();
    for (int i = 0; i < 5; i++) {
      Thread.sleep(300);
      assertThat(servedSerial()).isEqualTo(after);
    }
    https().get("/q/health/live").then().statusCode(200);
  }

  private BigInteger servedSerial() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket("localhost", root.getPort())) {
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** Trusts any server certificate: the test compares certificates, it does not verify them. */
  static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
