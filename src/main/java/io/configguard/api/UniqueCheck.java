package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Values at a JSONPath that must not repeat. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UniqueCheck {
  @JsonPropertyDescription(
      "JSONPath selecting the values that must be unique, e.g. $.features[*].name.")
  public String path;
}
