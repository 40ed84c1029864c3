package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What a GuardedRollout ships, to which pods, and how carefully. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GuardedRolloutSpec {
  @Required
  @JsonPropertyDescription("The ConfigMap the generator writes; each content change is a revision.")
  public SourceRef sourceRef;

  @Required
  @JsonPropertyDescription(
      "The pods (in this namespace) that consume the config. They mount <name>-stable,"
          + " <name>-candidate and their configguard.io/revision annotation.")
  public Selector selector;

  @JsonPropertyDescription("Steps, bake time and failure bounds.")
  public RolloutStrategy strategy = new RolloutStrategy();

  @JsonPropertyDescription("Optional health evidence besides readiness and restart counts.")
  public HealthCheck healthCheck;

  @JsonPropertyDescription(
      "true: hold where it is; no pod is moved and nothing is promoted until it is false.")
  public Boolean paused = false;

  @JsonPropertyDescription(
      "true: point every candidate pod back at stable now and take no new revision while set.")
  public Boolean abort = false;
}
