package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The ConfigMap a GuardedRollout ships; it lives in the rollout's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceRef {
  @Required
  @JsonPropertyDescription(
      "Name of the ConfigMap the generator writes, in the rollout's namespace. Each change of its"
          + " data/binaryData is a new revision.")
  public String name;
}
