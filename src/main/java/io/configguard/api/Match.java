package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Which admission requests a policy applies to. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Match {
  @JsonPropertyDescription("Kinds the policy applies to. Default: ConfigMaps only.")
  public List<ResourceKinds> resources;

  @JsonPropertyDescription("Globs on metadata.name (*, ?); empty matches every name.")
  public List<String> names;

  @JsonPropertyDescription(
      "Namespaces whose labels match this selector (ClusterConfigPolicy only); empty matches all.")
  public Selector namespaceSelector;

  @JsonPropertyDescription("Objects whose labels match this selector; empty matches all.")
  public Selector objectSelector;

  @JsonPropertyDescription("Operations the policy applies to. Default: CREATE and UPDATE.")
  public List<Operation> operations;
}
