package io.configguard.lifecycle;

import io.configguard.api.ClusterConfigPolicy;
import io.configguard.rollout.PolicyResources;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Reconciles ClusterConfigPolicy: status, audit, webhook rules. Called on deletes too (no
 * finalizer, so a policy never hangs in deletion when configguard is gone).
 */
@ControllerConfiguration(name = "clusterconfigpolicy", triggerReconcilerOnAllEvents = true)
public class ClusterConfigPolicyReconciler implements Reconciler<ClusterConfigPolicy> {
  private final PolicyLifecycle lifecycle;

  @Inject
  public ClusterConfigPolicyReconciler(PolicyLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public List<EventSource<?, ClusterConfigPolicy>> prepareEventSources(
      EventSourceContext<ClusterConfigPolicy> context) {
    var audited = new SimpleInboundEventSource<ClusterConfigPolicy>("clusterconfigpolicy-audit");
    lifecycle.onAudited(
        "ClusterConfigPolicy", ref -> audited.propagateEvent(new ResourceID(ref.name())));
    lifecycle.start();
    return List.of(audited);
  }

  @Override
  public UpdateControl<ClusterConfigPolicy> reconcile(
      ClusterConfigPolicy policy, Context<ClusterConfigPolicy> context) {
    return lifecycle.reconcile(policy, PolicyResources.ref(policy), context);
  }
}
