package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The result of the last background audit of a policy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuditStatus {
  @JsonPropertyDescription("When the audit finished (RFC 3339).")
  public String time;

  @JsonPropertyDescription("Number of existing objects evaluated.")
  public Long objectsChecked;

  @JsonPropertyDescription("Number of violations found.")
  public Long violationCount;

  @JsonPropertyDescription("A bounded sample (at most 20) of the violations found.")
  public List<AuditFinding> sample;
}
