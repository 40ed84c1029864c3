package io.configguard.webhookconfig;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicySpec;
import io.configguard.api.PolicyStatus;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.PolicyCompiler;
import io.configguard.rollout.PolicyResources;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the installed policies need the webhook to see, read from the API server on each call so
 * that it is complete from the first sync on (no waiting for every policy to be reconciled). A
 * policy that does not compile is not enforced, so it needs nothing.
 */
public final class PolicyNeeds implements WebhookSync.NeedSource {
  private final KubernetesClient client;
  private final CompiledPolicies compiled;

  public PolicyNeeds(KubernetesClient client, PolicyCompiler compiler) {
    this(client, new CompiledPolicies(compiler));
  }

  /** With the process's compiled policies: a policy the webhook compiled is not compiled again. */
  public PolicyNeeds(KubernetesClient client, CompiledPolicies compiled) {
    this.client = client;
    this.compiled = compiled;
  }

  @Override
  public List<Need> needs() {
    List<Need> out = new ArrayList<>();
    for (ConfigPolicy p : client.resources(ConfigPolicy.class).inAnyNamespace().list().getItems()) {
      need(p).ifPresent(out::add);
    }
    for (ClusterConfigPolicy p : client.resources(ClusterConfigPolicy.class).list().getItems()) {
      need(p).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Need> need(CustomResource<PolicySpec, PolicyStatus> policy) {
    // The spec's generation, not resourceVersion: status writes must not force a recompile.
    CompiledPolicies.Outcome outcome =
        compiled.compile(
            PolicyResources.ref(policy), PolicyResources.version(policy), policy.getSpec());
    return outcome.valid()
        ? Optional.of(Need.of(outcome.policy(), policy.getSpec()))
        : Optional.empty();
  }
}
