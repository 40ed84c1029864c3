package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** How a candidate revision reaches the selected pods: steps, bake time and failure bounds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStrategy {
  @ValidationRule(
      value = "self.all(s, s.matches('^([1-9][0-9]*|([1-9][0-9]?|100)%)$'))",
      message = "each step is a pod count (\"3\") or a percentage from 1% to 100% (\"10%\")")
  @JsonPropertyDescription(
      "Cumulative share of the selected pods on the candidate after each step: a count (\"1\")"
          + " or a percentage (\"10%\"), rounded up, at least one more pod per step. A last step"
          + " below 100% is followed by an implicit 100%. At most 100 steps of at most 10 characters."
          + " Default: 1, 10%, 50%, 100%.")
  @Size(max = 100)
  public List<@Size(max = 10) String> steps = new ArrayList<>(List.of("1", "10%", "50%", "100%"));

  @Min(0)
  @JsonPropertyDescription(
      "Seconds every pod of a step must stay healthy after its move (after it reports the"
          + " candidate revision when healthCheck.httpGet.revisionHeader is set). Default 60.")
  public Integer bakeSeconds = 60;

  @Min(0)
  @JsonPropertyDescription(
      "Unhealthy pods tolerated in the candidate set; one more rolls the revision back."
          + " Default 0.")
  public Integer maxUnhealthyPods = 0;

  @Min(1)
  @JsonPropertyDescription(
      "Consecutive failed revisions after which no new revision is taken (Degraded, reason"
          + " CircuitOpen) until the spec changes. Default 3.")
  public Integer maxFailedRevisions = 3;
}
