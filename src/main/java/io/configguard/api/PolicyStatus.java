package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a policy: whether it compiled, and what the background audit found. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PolicyStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready (the policy compiled and is enforced), Reconciling and Stalled (kstatus).")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Result of the last background audit of existing objects.")
  public AuditStatus audit;

  @JsonPropertyDescription("Exceptions that have expired and are ignored (index and reason).")
  public List<String> expiredExceptions;
}
