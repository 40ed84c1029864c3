package io.configguard.lifecycle;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicySpec;
import io.configguard.api.PolicyStatus;
import io.configguard.lifecycle.WebhookRules.Need;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the installed policies need the webhook to see, read from the API server on each call so
 * that it is complete from the first sync on (no waiting for every policy to be reconciled). A
 * policy that does not compile is not enforced, so it needs nothing.
 */
public final class PolicyNeeds implements WebhookSync.NeedSource {
  private final KubernetesClient client;
  private final PolicyCompiler compiler;
  private final Map<String, Compiled> byUid = new HashMap<>();

  private record Compiled(String version, Optional<Need> need) {}

  public PolicyNeeds(KubernetesClient client, PolicyCompiler compiler) {
    this.client = client;
    this.compiler = compiler;
  }

  @Override
  public synchronized List<Need> needs() {
    List<Need> out = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (ConfigPolicy p : client.resources(ConfigPolicy.class).inAnyNamespace().list().getItems()) {
      need(p, PolicyRef.namespaced(p.getMetadata().getNamespace(), p.getMetadata().getName()), live)
          .ifPresent(out::add);
    }
    for (ClusterConfigPolicy p : client.resources(ClusterConfigPolicy.class).list().getItems()) {
      need(p, PolicyRef.cluster(p.getMetadata().getName()), live).ifPresent(out::add);
    }
    byUid.keySet().retainAll(live);
    return out;
  }

  private Optional<Need> need(
      CustomResource<PolicySpec, PolicyStatus> policy, PolicyRef ref, Set<String> live) {
    String uid = policy.getMetadata().getUid();
    live.add(uid);
    // The spec's generation, not resourceVersion: status writes must not force a recompile.
    Long generation = policy.getMetadata().getGeneration();
    String version =
        generation != null ? "g" + generation : policy.getMetadata().getResourceVersion();
    Compiled cached = byUid.get(uid);
    if (cached != null && cached.version().equals(version)) {
      return cached.need();
    }
    Optional<Need> need;
    try {
      need = Optional.of(Need.of(compiler.compile(ref, policy.getSpec()), policy.getSpec()));
    } catch (InvalidPolicyException e) {
      need = Optional.empty();
    }
    byUid.put(uid, new Compiled(version, need));
    return need;
  }
}
