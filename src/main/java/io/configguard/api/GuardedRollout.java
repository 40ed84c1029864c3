package io.configguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Staged delivery of one config source to a set of pods, with health gates and rollback. */
@Group(ConfigPolicy.GROUP)
@Version(ConfigPolicy.VERSION)
@ShortNames({"grollout", "gr"})
@AdditionalPrinterColumn(
    name = "PHASE",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "STABLE",
    jsonPath = ".status.stableRevision",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "CANDIDATE",
    jsonPath = ".status.candidateRevision",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "STEP",
    jsonPath = ".status.currentStep",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "UPDATED",
    jsonPath = ".status.updatedPods",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class GuardedRollout extends CustomResource<GuardedRolloutSpec, GuardedRolloutStatus>
    implements Namespaced {
  public static final String KIND = "GuardedRollout";

  // Overridden only to describe spec and status in the CRD (kubectl explain shows it).
  @Override
  @JsonPropertyDescription(
      "Which ConfigMap to ship to which pods, in which steps, with which health gates.")
  public GuardedRolloutSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "Observed state: phase, stable and candidate revisions, step, failed revisions, history.")
  public GuardedRolloutStatus getStatus() {
    return super.getStatus();
  }
}
