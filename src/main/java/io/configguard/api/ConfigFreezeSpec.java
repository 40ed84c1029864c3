package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Which namespaces a freeze halts, why, and whether config writes are denied meanwhile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigFreezeSpec {
  @JsonPropertyDescription(
      "Namespaces whose labels match are frozen: every GuardedRollout there goes to Frozen and"
          + " touches no pod. Empty matches every namespace.")
  public Selector namespaceSelector;

  @JsonPropertyDescription("Why the freeze is in place; shown in rollout status and denials.")
  public String reason;

  @JsonPropertyDescription(
      "true: the webhook also denies CREATE, UPDATE and DELETE of the objects match selects in"
          + " frozen namespaces. Default false.")
  public Boolean denyWrites = false;

  @JsonPropertyDescription(
      "With denyWrites: which objects are frozen (same shape as a policy's match). Default:"
          + " ConfigMaps.")
  public Match match;

  @JsonPropertyDescription("With denyWrites: users and groups still allowed to write.")
  public BreakGlass breakGlass;
}
