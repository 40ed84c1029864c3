package io.configguard.lifecycle;

import io.configguard.api.PolicySpec;
import io.configguard.api.PolicyStatus;
import io.configguard.audit.Auditor;
import io.configguard.audit.ClusterObjectPages;
import io.configguard.audit.PolicyAudit;
import io.configguard.discovery.ApiResources;
import io.configguard.discovery.DiscoveredResources;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.rollout.NamespaceLabels;
import io.configguard.rollout.PolicyResources;
import io.configguard.webhookconfig.FreezeNeeds;
import io.configguard.webhookconfig.PolicyNeeds;
import io.configguard.webhookconfig.WebhookSettings;
import io.configguard.webhookconfig.WebhookSync;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What reconciling a policy means, shared by both policy kinds: compile it (through the process's
 * {@link CompiledPolicies}, so a generation the webhook compiled is not compiled again), keep its
 * status, start or stop its background audit, and ask the webhook configuration to follow policies
 * and freezes.
 */
public final class PolicyLifecycle implements AutoCloseable {
  private final CompiledPolicies compiled;
  private final Auditor auditor;
  private final WebhookSync webhook;
  private final Clock clock;

  /** Per policy, the generation and validity last reported to the webhook sync. */
  private final Map<PolicyRef, String> reported = new ConcurrentHashMap<>();

  private final Map<String, Consumer<PolicyRef>> refreshers = new ConcurrentHashMap<>();

  private boolean started;

  public PolicyLifecycle(
      CompiledPolicies compiled, Auditor auditor, WebhookSync webhook, Clock clock) {
    this.compiled = compiled;
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

  /** Wires the lifecycle against a cluster with compiled policies of its own (tests). */
  public static PolicyLifecycle create(
      KubernetesClient client,
      WebhookSettings webhookSettings,
      AuditSettings auditSettings,
      MeterRegistry registry,
      Clock clock) {
    return create(
        client,
        webhookSettings,
        auditSettings,
        registry,
        clock,
        new CompiledPolicies(new PolicyCompiler(Limits.DEFAULT)));
  }

  /**
   * Wires the lifecycle against a cluster and the process's compiled policies and freezes (kept
   * current by the webhook's informers); the reconcilers' way in.
   */
  public static PolicyLifecycle create(
      KubernetesClient client,
      WebhookSettings webhookSettings,
      AuditSettings auditSettings,
      MeterRegistry registry,
      Clock clock,
      CompiledPolicies compiled) {
    ApiResources resources = new DiscoveredResources(client, Duration.ofMinutes(1));
    WebhookSync webhook =
        new WebhookSync(
            client,
            webhookSettings,
            resources,
            List.of(new PolicyNeeds(client, compiled), new FreezeNeeds(client)));
    PolicyAudit audit =
        new PolicyAudit(
            new ClusterObjectPages(client, auditSettings.pageSize()),
            resources,
            webhookSettings.excludedNamespaces(),
            ns -> NamespaceLabels.read(client, ns),
            clock);
    Auditor auditor = new Auditor(audit, auditSettings.interval(), registry);
    return new PolicyLifecycle(compiled, auditor, webhook, clock);
  }

  /** Starts keeping the webhook configuration current, even before any policy exists. */
  public synchronized void start() {
    webhook.start();
    if (!started) {
      // A freeze that starts or stops denying writes changes the rules (DELETE of frozen kinds).
      compiled.onFreezeChange(webhook::request);
      started = true;
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
      compiled.forget(ref, PolicyResources.version(policy));
      if (reported.remove(ref) != null) {
        webhook.request();
      }
      return UpdateControl.noUpdate();
    }
    Long gen = policy.getMetadata().getGeneration();
    long generation = gen == null ? 0 : gen;
    PolicySpec spec = policy.getSpec();
    CompiledPolicies.Outcome outcome = compiled.compile(ref, PolicyResources.version(policy), spec);
    List<String> errors = outcome.reasons();
    if (outcome.valid()) {
      auditor.track(ref, outcome.policy(), spec, generation);
    } else {
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

  @Override
  public void close() {
    auditor.close();
    webhook.close();
  }
}
