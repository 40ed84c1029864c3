package io.configguard.webhookconfig;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.Operation;
import io.configguard.policy.Freeze;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What the ConfigFreezes that deny writes need the webhook to see: CREATE, UPDATE and DELETE of the
 * kinds they freeze (the API server does not send DELETE of a kind unless a rule asks for it). Read
 * from the API server on each call, like {@link PolicyNeeds}.
 */
public final class FreezeNeeds implements WebhookSync.NeedSource {
  private static final Logger LOG = Logger.getLogger(FreezeNeeds.class);
  private static final EnumSet<Operation> WRITES =
      EnumSet.of(Operation.CREATE, Operation.UPDATE, Operation.DELETE);

  private final KubernetesClient client;

  public FreezeNeeds(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<Need> needs() {
    return of(client.resources(ConfigFreeze.class).list().getItems());
  }

  /** What these freezes need: the writes of what they match, where they match it. */
  static List<Need> of(List<ConfigFreeze> freezes) {
    List<Need> out = new ArrayList<>();
    for (ConfigFreeze f : freezes) {
      try {
        Freeze freeze = Freeze.compile(f.getMetadata().getName(), f.getSpec());
        if (freeze != null) {
          var spec = f.getSpec();
          out.add(
              new Need(
                  freeze.kinds(),
                  WRITES,
                  WebhookRules.Scope.of(
                      null,
                      spec.match,
                      spec.namespaceSelector,
                      spec.match == null ? null : spec.match.namespaceSelector)));
        }
      } catch (InvalidPolicyException e) {
        LOG.warnf(
            "ConfigFreeze %s freezes no writes: %s",
            f.getMetadata().getName(), String.join("; ", e.reasons()));
      }
    }
    return out;
  }
}
