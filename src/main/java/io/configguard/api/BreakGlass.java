package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Who may still write while a freeze denies writes (admitted with a warning, logged). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class BreakGlass {
  @JsonPropertyDescription("User names (as in the admission request's userInfo.username).")
  public List<String> users;

  @JsonPropertyDescription("Group names (as in the admission request's userInfo.groups).")
  public List<String> groups;
}
