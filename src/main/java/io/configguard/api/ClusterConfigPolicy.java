package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Rules for config objects in every namespace its namespaceSelector matches. */
@Group(ConfigPolicy.GROUP)
@Version(ConfigPolicy.VERSION)
@ShortNames("ccpol")
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
public class ClusterConfigPolicy extends CustomResource<PolicySpec, PolicyStatus> {

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
