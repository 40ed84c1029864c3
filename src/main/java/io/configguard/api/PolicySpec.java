package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The spec shared by ConfigPolicy and ClusterConfigPolicy. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PolicySpec {
  @JsonPropertyDescription("Deny (reject), Warn (admit with a warning) or Audit (record only).")
  public Enforcement enforcement = Enforcement.Deny;

  @JsonPropertyDescription("Which requests the policy applies to.")
  public Match match;

  @JsonPropertyDescription("The rules; every failed check of every rule is one violation.")
  public List<Rule> rules;

  @JsonPropertyDescription("Objects exempted from this policy until a given time.")
  public List<PolicyException> exceptions;
}
