package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One existing object found breaking a policy by the background audit. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuditFinding {
  @JsonPropertyDescription("Namespace of the object.")
  public String namespace;

  @JsonPropertyDescription("Name of the object.")
  public String name;

  @JsonPropertyDescription("Rule that the object breaks.")
  public String rule;

  @JsonPropertyDescription("The violation message.")
  public String message;
}
