package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A bound on how much a count or size may change against the old object on UPDATE. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChangeLimit {
  @JsonPropertyDescription(
      "JSONPath whose count is compared; without it the byte size of the key (or object) is.")
  public String path;

  @JsonPropertyDescription(
      "For maxGrowth: new <= old * ratio (e.g. 1.5). For maxShrink: new >= old * ratio (e.g. 0.5).")
  public Double ratio;
}
