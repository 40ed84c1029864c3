package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** An HTTP GET the operator sends to each candidate pod's IP while its step bakes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpGetCheck {
  @Required
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Container port to call on the pod IP.")
  public Integer port;

  @JsonPropertyDescription("Path to call. Default /.")
  public String path = "/";

  @JsonPropertyDescription("HTTP or HTTPS (certificates are not verified, as with kubelet).")
  public Scheme scheme = Scheme.HTTP;

  @JsonPropertyDescription(
      "Response header carrying the revision the pod serves (e.g. X-Config-Revision). When set,"
          + " a pod's bake starts only once it reports the candidate revision.")
  public String revisionHeader;

  @Min(1)
  @JsonPropertyDescription("Seconds to wait for an answer. Default 2.")
  public Integer timeoutSeconds = 2;

  @Min(1)
  @JsonPropertyDescription(
      "With revisionHeader: seconds a moved pod may take to report the candidate revision before"
          + " it counts as unhealthy (kubelet refreshes volumes within about a minute). Default"
          + " 300.")
  public Integer loadTimeoutSeconds = 300;

  /** URL scheme of the check. */
  public enum Scheme {
    HTTP,
    HTTPS
  }
}
