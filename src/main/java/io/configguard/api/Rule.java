package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** One named rule of a policy; it may carry several checks, each failing on its own. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Rule {
  @Required
  @JsonPropertyDescription("Name of the rule, shown in every violation it produces.")
  public String name;

  @JsonPropertyDescription(
      "ConfigMap data/binaryData key (glob) the per-key checks apply to. Use path for custom"
          + " resources.")
  public String key;

  @JsonPropertyDescription(
      "For custom resources: JSONPath into the object that the document checks apply to.")
  public String path;

  @JsonPropertyDescription(
      "Strict parse of the key's value: json, yaml, properties or text. Duplicate keys are"
          + " violations.")
  public Format format;

  @JsonPropertyDescription(
      "With format json: exact (default) or caseInsensitive, where keys that differ only in case"
          + " or in lone surrogates are duplicates too (Go's encoding/json reads them as one"
          + " struct field).")
  public DuplicateKeys duplicateKeys;

  @JsonPropertyDescription(
      "With format yaml: true also rejects keys that a YAML 1.1 reader (PyYAML, go-yaml v2) reads"
          + " as one, such as yes, on and true.")
  public Boolean yaml11;

  @JsonPropertyDescription(
      "Largest total size in bytes: data + binaryData values of a ConfigMap, or the object's"
          + " JSON.")
  public Long maxTotalBytes;

  @JsonPropertyDescription("Largest number of keys in data + binaryData.")
  public Long maxKeys;

  @JsonPropertyDescription("Largest size in bytes of each value matched by key.")
  public Long maxBytes;

  @PreserveUnknownFields
  @JsonPropertyDescription("Inline JSON Schema (2020-12) the parsed document must satisfy.")
  public JsonNode jsonSchema;

  @JsonPropertyDescription("Largest number of items at a JSONPath.")
  public CountLimit maxItems;

  @JsonPropertyDescription("Values at a JSONPath that must be unique.")
  public UniqueCheck unique;

  @JsonPropertyDescription("UPDATE only: bound on growth against the old object.")
  public ChangeLimit maxGrowth;

  @JsonPropertyDescription("UPDATE only: bound on shrinkage against the old object.")
  public ChangeLimit maxShrink;

  @JsonPropertyDescription(
      "UPDATE only: keys (globs) or JSONPaths (starting with $) whose values may not change.")
  public List<String> immutable;

  @JsonPropertyDescription(
      "CEL expression that must evaluate to true. Variables: object, oldObject, parsed,"
          + " request.")
  public String cel;

  @JsonPropertyDescription("Message reported when the cel expression is false.")
  public String message;
}
