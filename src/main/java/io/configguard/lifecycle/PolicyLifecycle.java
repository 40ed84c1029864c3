package io.configguard.lifecycle;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.PolicySpec;
import io.configguard.api.PolicyStatus;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.rollout.CachedForms;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What reconciling a policy means, shared by both policy kinds: compile it, keep its status, start
 * or stop its background audit, and ask the webhook configuration to follow.
 */
public final class PolicyLifecycle implements AutoCloseable {
  private final PolicyCompiler compiler;
  private final Auditor auditor;
  private final WebhookSync webhook;
  private final Clock clock;

  /** Per policy, the generation and validity last reported to the webhook sync. */
  private final Map<PolicyRef, String> reported = new ConcurrentHashMap<>();

  private final Map<String, Consumer<PolicyRef>> refreshers = new ConcurrentHashMap<>();

  private KubernetesClient freezes;
  private SharedIndexInformer<ConfigFreeze> freezeWatch;

  public PolicyLifecycle(
      PolicyCompiler compiler, Auditor auditor, WebhookSync webhook, Clock clock) {
    this.compiler = compiler;
    this.auditor = auditor;
    this.webhook = webhook;
    this.clock = clock;
    auditor.listen(this::audited);
  }

  /** Audit settings: how often, and how many objects per list call. */
  public record AuditSettings(Duration interval, int pageSize) {
    public AuditSettings {
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("configguard.audit.interval: must be positive");
      }
      if (pageSize < 1) {
        throw new IllegalArgumentException("configguard.audit.page-size: must be at least 1");
      }
    }
  }

  /** Wires the lifecycle against a cluster; the reconcilers' and tests' one way in. */
  public static PolicyLifecycle create(
      KubernetesClient client,
      WebhookSettings webhookSettings,
      AuditSettings auditSettings,
      MeterRegistry registry,
      Clock clock) {
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    ApiResources resources = new DiscoveredResources(client, Duration.ofMinutes(1));
    WebhookSync webhook =
        new WebhookSync(
            client,
            webhookSettings,
            resources,
            List.of(new PolicyNeeds(client, compiler), new FreezeNeeds(client)));
    PolicyAudit audit =
        new PolicyAudit(
            new ClusterObjectPages(client, auditSettings.pageSize()),
            resources,
            webhookSettings.excludedNamespaces(),
            ns -> namespaceLabels(client, ns),
            clock);
    Auditor auditor = new Auditor(audit, auditSettings.interval(), registry);
    PolicyLifecycle lifecycle = new PolicyLifecycle(compiler, auditor, webhook, clock);
    lifecycle.freezes = client;
    return lifecycle;
  }

  /** Starts keeping the webhook configuration current, even before any policy exists. */
  public void start() {
    webhook.start();
    if (freezes != null && freezeWatch == null) {
      // A freeze that starts or stops denying writes changes the rules (DELETE of frozen kinds).
      freezeWatch =
          freezes
              .resources(ConfigFreeze.class)
              .runnableInformer(0)
              .itemStore(CachedForms.store(CachedForms::lean));
      freezeWatch.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigFreeze freeze) {
              webhook.request();
            }

            @Override
            public void onUpdate(ConfigFreeze old, ConfigFreeze freeze) {
              webhook.request();
            }

            @Override
            public void onDelete(ConfigFreeze freeze, boolean finalStateUnknown) {
              webhook.request();
            }
          });
      freezeWatch.run();
    }
  }

  /** Lets a reconciler be told when a policy's audit finished, so its status gets the result. */
  public void onAudited(String kind, Consumer<PolicyRef> refresh) {
    refreshers.put(kind, refresh);
  }

  private void audited(PolicyRef ref) {
    refreshers.getOrDefault(ref.kind(), r -> {}).accept(ref);
  }

  /** Reconciles one policy (also called once it is gone, to clean up). */
  public <P extends CustomResource<PolicySpec, PolicyStatus>> UpdateControl<P> reconcile(
      P policy, PolicyRef ref, Context<P> context) {
    if (context.isPrimaryResourceDeleted() || context.isPrimaryResourceFinalStateUnknown()) {
      auditor.forget(ref);
      if (reported.remove(ref) != null) {
        webhook.request();
      }
      return UpdateControl.noUpdate();
    }
    Long gen = policy.getMetadata().getGeneration();
    long generation = gen == null ? 0 : gen;
    PolicySpec spec = policy.getSpec();
    List<String> errors = List.of();
    try {
      Policy compiled = compiler.compile(ref, spec);
      auditor.track(ref, compiled, spec, generation);
    } catch (InvalidPolicyException e) {
      errors = e.reasons();
      auditor.forget(ref);
    }
    String state = generation + (errors.isEmpty() ? "/valid" : "/invalid");
    if (!state.equals(reported.put(ref, state))) {
      webhook.request();
    }
    Instant now = clock.instant();
    var exceptions = spec == null ? null : spec.exceptions;
    PolicyStatus next =
        PolicyStatuses.next(
            policy.getStatus(),
            generation,
            errors,
            PolicyStatuses.expiredExceptions(exceptions, now),
            auditor.result(ref).orElse(null),
            now);
    UpdateControl<P> control;
    if (PolicyStatuses.same(policy.getStatus(), next)) {
      control = UpdateControl.noUpdate();
    } else {
      policy.setStatus(next);
      control = UpdateControl.patchStatus(policy);
    }
    // Come back when the next exception expires, so status.expiredExceptions is never stale.
    PolicyStatuses.nextExpiry(exceptions, now)
        .ifPresent(t -> control.rescheduleAfter(Duration.between(now, t).plusSeconds(1)));
    return control;
  }

  static Map<String, String> namespaceLabels(KubernetesClient client, String name) {
    Namespace ns = client.namespaces().withName(name).get();
    Map<String, String> labels = new HashMap<>();
    if (ns != null && ns.getMetadata().getLabels() != null) {
      labels.putAll(ns.getMetadata().getLabels());
    }
    // The API server sets this label on every namespace; older objects may predate it.
    labels.putIfAbsent(WebhookConfigurations.NAMESPACE_NAME_LABEL, name);
    return labels;
  }

  @Override
  public void close() {
    if (freezeWatch != null) {
      freezeWatch.close();
    }
    auditor.close();
    webhook.close();
  }
}
