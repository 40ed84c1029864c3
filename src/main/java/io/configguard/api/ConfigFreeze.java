package io.configguard.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
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
public class ConfigFreeze extends CustomResource<ConfigFreezeSpec, Void> {}
