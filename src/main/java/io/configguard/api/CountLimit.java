package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A maximum number of items at a JSONPath. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CountLimit {
  @JsonPropertyDescription(
      "JSONPath (RFC 9535 subset: $, .name, ['name'], [n], [*]) to an array or object whose size"
          + " is counted; when it selects several nodes, their number is counted.")
  public String path;

  @JsonPropertyDescription("The largest count allowed.")
  public Long max;
}
