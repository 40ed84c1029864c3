package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How one revision ended; the status keeps the newest few. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutHistoryEntry {
  @JsonPropertyDescription("The revision number.")
  public Long revision;

  @JsonPropertyDescription("Content hash of the revision.")
  public String hash;

  @JsonPropertyDescription("Succeeded, RolledBack, Failed or Aborted.")
  public RolloutPhase outcome;

  @JsonPropertyDescription("What happened, in one line.")
  public String message;

  @JsonPropertyDescription("When it ended (RFC 3339).")
  public String time;

  public RolloutHistoryEntry() {}

  public RolloutHistoryEntry(
      Long revision, String hash, RolloutPhase outcome, String message, String time) {
    this.revision = revision;
    this.hash = hash;
    this.outcome = outcome;
    this.message = message;
    this.time = time;
  }
}
