package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A revision that failed; its content hash is never attempted again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailedRevision {
  @JsonPropertyDescription("The revision number it had.")
  public Long revision;

  @JsonPropertyDescription("Content hash of the source data/binaryData (sha256, first 16 hex).")
  public String hash;

  @JsonPropertyDescription("Why it failed: policy violations, unhealthy pods, or an abort.")
  public String reason;

  @JsonPropertyDescription("When it failed (RFC 3339).")
  public String failedAt;

  public FailedRevision() {}

  public FailedRevision(Long revision, String hash, String reason, String failedAt) {
    this.revision = revision;
    this.hash = hash;
    this.reason = reason;
    this.failedAt = failedAt;
  }
}
