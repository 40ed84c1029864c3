package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import java.util.Map;

/** A Kubernetes label selector (same shape as metav1.LabelSelector), kept free of client types. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Selector {
  @JsonPropertyDescription("Labels that must all be present with exactly these values.")
  public Map<String, String> matchLabels;

  @JsonPropertyDescription(
      "Set-based requirements that must all hold (In, NotIn, Exists, DoesNotExist).")
  public List<Requirement> matchExpressions;

  /** One set-based requirement of a label selector. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public static class Requirement {
    @JsonPropertyDescription("The label key the requirement applies to.")
    public String key;

    @Pattern("^(In|NotIn|Exists|DoesNotExist)$")
    @JsonPropertyDescription("One of In, NotIn, Exists, DoesNotExist.")
    public String operator;

    @JsonPropertyDescription("Values for In and NotIn; must be empty for Exists and DoesNotExist.")
    public List<String> values;
  }
}
