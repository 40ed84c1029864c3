package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate in front of {@code POST /validate} on a plain Vert.x router: a request that finds no
 * room within the wait gets 429 with a Status; a request admitted after waiting still gets its
 * whole body (the request is paused, not drained, while it waits).
 */
class AdmissionGateRouteTest {
  static final long MIB = 1024 * 1024;

  Vertx vertx;
  HttpServer server;
  Webhook webhook;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    webhook =
        new Webhook(
            new SimpleMeterRegistry(),
            Optional.empty(),
            new AdmissionMemoryGate(
                3 * MIB * AdmissionMemoryGate.AMPLIFICATION, Duration.ofMillis(300)));
    Router router = Router.router(vertx);
    new AdmissionGateRoute().install(router, webhook);
    router
        .post("/validate")
        .order(100)
        .handler(
            rc -> {
              rc.request().resume();
              rc.request()
                  .body()
                  .onSuccess(b -> rc.response().end("body " + b.length()))
                  .onFailure(rc::fail);
            });
    server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(0)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  String post(int bytes) throws Exception {
    return vertx
        .createHttpClient()
        .request(HttpMethod.POST, server.actualPort(), "localhost", "/validate")
        .compose(req -> req.send(Buffer.buffer(new byte[bytes])))
        .compose((HttpClientResponse r) -> r.body().map(b -> r.statusCode() + " " + b.toString()))
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  @Test
  void aRequestWithRoomPassesWithItsBody() throws Exception {
    assertThat(post(100_000)).isEqualTo("200 body 100000");
  }

  @Test
  void noRoomWithinTheWaitIs429() throws Exception {
    AdmissionMemoryGate.Permit full = webhook.gate().acquire(3 * MIB).join();
    String answer = post(1_000_000);
    assertThat(answer).startsWith("429 ").contains("\"reason\":\"TooManyRequests\"");
    assertThat(answer).contains("admission memory budget in use");
    assertThat(webhook.metrics().busyCount()).isEqualTo(1);
    full.close();
    assertThat(post(1_000_000)).isEqualTo("200 body 1000000");
  }

  @Test
  void aRequestAdmittedAfterWaitingGetsItsWholeBody() throws Exception {
    AdmissionMemoryGate.Permit full = webhook.gate().acquire(3 * MIB).join();
    vertx.setTimer(100, t -> full.close());
    assertThat(post(1_000_000)).isEqualTo("200 body 1000000");
    assertThat(webhook.gate().inUse()).isZero();
  }
}
