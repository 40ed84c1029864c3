package io.configguard.admission;

import io.javaoperatorsdk.operator.Operator;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the policies are loaded (folder read, or informers synced) and, where this process
 * runs the operator, its controllers are healthy. Replaces the operator extension's own check,
 * which stays DOWN whenever the operator is not started, as in standalone mode.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
  private final Webhook webhook;

  public ReadinessCheck(Webhook webhook) {
    this.webhook = webhook;
  }

  @Override
  public HealthCheckResponse call() {
    PolicyIndex index = webhook.index();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("configguard policies")
            .withData("loaded", index.isLoaded())
            .withData("policies", index.current().size())
            .withData("rejected", index.rejected().size())
            .status(index.isLoaded());
    Operator operator = webhook.operator();
    if (operator != null) {
      var info = operator.getRuntimeInfo();
      boolean healthy =
          info.isStarted()
              && info.getRegisteredControllers().stream()
                  .allMatch(c -> c.getControllerHealthInfo().unhealthyEventSources().isEmpty());
      response.withData("operator", healthy ? "OK" : "unhealthy");
      if (!healthy) {
        response.down();
      }
    }
    return response.build();
  }
}
