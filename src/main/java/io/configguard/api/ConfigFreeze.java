package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The kill switch: while one matches a namespace, rollouts there halt. Cluster-scoped. */
@Group(ConfigPolicy.GROUP)
@Version(ConfigPolicy.VERSION)
@ShortNames("cfreeze")
@AdditionalPrinterColumn(
    name = "REASON",
    jsonPath = ".spec.reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "DENY-WRITES",
    jsonPath = ".spec.denyWrites",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// A freeze has no observed state: the swap keeps `status` out of the schema.
@SchemaSwap(originalType = ConfigFreeze.class, fieldName = "status")
public class ConfigFreeze extends CustomResource<ConfigFreezeSpec, Void> {
  // Overridden only to describe spec in the CRD (kubectl explain shows it).
  @Override
  @JsonPropertyDescription("Which namespaces are frozen, why, and what the freeze denies.")
  public ConfigFreezeSpec getSpec() {
    return super.getSpec();
  }
}
