package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Health evidence besides readiness and restart counts, checked on every candidate pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheck {
  @JsonPropertyDescription("An HTTP GET on the pod's IP that must answer 2xx during the bake.")
  public HttpGetCheck httpGet;
}
