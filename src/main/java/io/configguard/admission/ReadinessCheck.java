package io.configguard.admission;

import io.javaoperatorsdk.operator.Operator;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the policies are loaded (folder read, or informers synced) and the admission path has
 * been rehearsed ({@link AdmissionWarmup}): the first real request after a start would otherwise
 * pay for initializing the engine and could outlast the API server's timeout. The operator's state
 * is reported but does not gate readiness: every replica serves admission, while only the leader's
 * controllers run. Replaces the operator extension's own check, which stays DOWN whenever the
 * operator is not started, as in standalone mode.
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
            .withData("warm", webhook.isWarm())
            .status(index.isLoaded() && webhook.isWarm());
    Operator operator = webhook.operator();
    if (operator != null) {
      response.withData("operator", operator.getRuntimeInfo().isStarted() ? "started" : "stopped");
    }
    return response.build();
  }
}
