package io.configguard.lifecycle;

import io.configguard.api.ConfigPolicy;
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
 * Reconciles ConfigPolicy: status, audit, webhook rules. Called on deletes too (no finalizer, so a
 * policy never hangs in deletion when configguard is gone).
 */
@ControllerConfiguration(name = "configpolicy", triggerReconcilerOnAllEvents = true)
public class ConfigPolicyReconciler implements Reconciler<ConfigPolicy> {
  private final PolicyLifecycle lifecycle;

  @Inject
  public ConfigPolicyReconciler(PolicyLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public List<EventSource<?, ConfigPolicy>> prepareEventSources(
      EventSourceContext<ConfigPolicy> context) {
    var audited = new SimpleInboundEventSource<ConfigPolicy>("configpolicy-audit");
    lifecycle.onAudited(
        "ConfigPolicy", ref -> audited.propagateEvent(new ResourceID(ref.name(), ref.namespace())));
    lifecycle.start();
    return List.of(audited);
  }

  @Override
  public UpdateControl<ConfigPolicy> reconcile(ConfigPolicy policy, Context<ConfigPolicy> context) {
    return lifecycle.reconcile(policy, PolicyResources.ref(policy), context);
  }
}
