package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** A set of Kubernetes kinds a policy applies to, as in a webhook rule. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ResourceKinds {
  @JsonPropertyDescription("API groups of the kinds; \"\" is the core group, \"*\" is any group.")
  public List<String> apiGroups;

  @JsonPropertyDescription("API versions; empty means every version.")
  public List<String> versions;

  @JsonPropertyDescription("Kinds, e.g. ConfigMap; \"*\" is any kind of the groups.")
  public List<String> kinds;
}
