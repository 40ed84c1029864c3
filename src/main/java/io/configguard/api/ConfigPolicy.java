package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Rules for config objects in the policy's own namespace. */
@Group(ConfigPolicy.GROUP)
@Version(ConfigPolicy.VERSION)
@ShortNames("cpol")
@AdditionalPrinterColumn(
    name = "ENFORCEMENT",
    jsonPath = ".spec.enforcement",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "VIOLATIONS",
    jsonPath = ".status.audit.violationCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ConfigPolicy extends CustomResource<PolicySpec, PolicyStatus> implements Namespaced {
  public static final String GROUP = "configguard.io";
  public static final String VERSION = "v1alpha1";

  // Overridden only to describe spec and status in the CRD (kubectl explain shows it).
  @Override
  @JsonPropertyDescription(
      "What the policy matches, its rules and what admission does with violations.")
  public PolicySpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Observed state: whether the policy is enforced, and audit results.")
  public PolicyStatus getStatus() {
    return super.getStatus();
  }
}
