package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** An exemption from a policy for some objects, with a reason and an expiry. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PolicyException {
  @JsonPropertyDescription("Namespaces (globs) the exception covers; empty means all.")
  public List<String> namespaces;

  @JsonPropertyDescription("Object names (globs) the exception covers; empty means all.")
  public List<String> names;

  @JsonPropertyDescription("Why the exception exists; required.")
  public String reason;

  @JsonPropertyDescription("RFC 3339 time after which the exception no longer applies; required.")
  public String expires;
}
