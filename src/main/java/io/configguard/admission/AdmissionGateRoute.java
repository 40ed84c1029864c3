package io.configguard.admission;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Puts {@code POST /validate} behind the {@link AdmissionMemoryGate} before its body is read: the
 * request is paused while it waits, so a burst of large requests costs socket buffers, not heap. A
 * request that finds no room in time gets 429 with a Kubernetes Status, and the API server applies
 * the webhook's failurePolicy (Fail by default: the write is refused; Ignore: the operator chose
 * availability when the webhook cannot judge, and an overloaded webhook cannot).
 */
@ApplicationScoped
public class AdmissionGateRoute {
  private static final Logger LOG = Logger.getLogger(AdmissionGateRoute.class);

  /** The body limit (quarkus.http.limits.max-body-size): the charge of a body of unknown size. */
  static final long MAX_BODY = 3L * 1024 * 1024;

  void install(@Observes Router router, Webhook webhook) {
    // After the body-size check (413 for over 3 MiB), before anything reads the body.
    router
        .post("/validate")
        .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
        .handler(rc -> gate(rc, webhook));
  }

  private static void gate(RoutingContext rc, Webhook webhook) {
    HttpServerRequest request = rc.request();
    long length = MAX_BODY;
    String header = request.getHeader("Content-Length");
    if (header != null) {
      try {
        length = Math.min(MAX_BODY, Math.max(0, Long.parseLong(header.trim())));
      } catch (NumberFormatException e) {
        length = MAX_BODY;
      }
    }
    request.pause();
    Context context = Vertx.currentContext();
    webhook
        .gate()
        .acquire(length)
        .whenComplete(
            (permit, error) ->
                context.runOnContext(
                    v -> {
                      if (error != null) {
                        webhook.metrics().busy();
                        LOG.warnf("refused a request with 429: %s", error.getMessage());
                        rc.response()
                            .setStatusCode(429)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Retry-After", "1")
                            .end(busyStatus(error.getMessage()));
                        return;
                      }
                      if (rc.response().closed() || rc.response().ended()) {
                        // The caller went away while it waited: nothing will end it, give back.
                        permit.close();
                        return;
                      }
                      rc.addEndHandler(done -> permit.close());
                      rc.next();
                    }));
  }

  static String busyStatus(String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":429,"
        + "\"reason\":\"TooManyRequests\",\"message\":\""
        + message.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"}";
  }
}
