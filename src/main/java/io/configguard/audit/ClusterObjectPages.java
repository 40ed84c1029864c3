package io.configguard.audit;

import io.configguard.discovery.ApiResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** Paginated list calls ({@code limit}/{@code continue}) through the Fabric8 client. */
public final class ClusterObjectPages implements ObjectPages {
  private static final Logger LOG = Logger.getLogger(ClusterObjectPages.class);

  private final KubernetesClient client;
  private final long pageSize;

  public ClusterObjectPages(KubernetesClient client, int pageSize) {
    this.client = client;
    this.pageSize = pageSize;
  }

  @Override
  public void forEachPage(
      ApiResource resource,
      String namespace,
      LabelSelector selector,
      Consumer<List<GenericKubernetesResource>> page) {
    var context =
        new ResourceDefinitionContext.Builder()
            .withGroup(resource.group())
            .withVersion(resource.version())
            .withKind(resource.kind())
            .withPlural(resource.plural())
            .withNamespaced(resource.namespaced())
            .build();
    var all = client.genericKubernetesResources(context);
    var scoped = namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace);
    var listing = selector == null ? scoped : scoped.withLabelSelector(selector);
    String token = null;
    do {
      GenericKubernetesResourceList list;
      try {
        list =
            listing.list(new ListOptionsBuilder().withLimit(pageSize).withContinue(token).build());
      } catch (KubernetesClientException e) {
        String next = expiredButResumable(e);
        if (next == null) {
          throw e;
        }
        // The snapshot expired (a long audit); go on from the next key in the current state.
        LOG.debugf(
            "List of %s: continue token expired, resuming inconsistently", resource.plural());
        token = next;
        continue;
      }
      token = list.getMetadata() == null ? null : list.getMetadata().getContinue();
      List<GenericKubernetesResource> items = list.getItems();
      list = null;
      page.accept(items);
      items = null; // let this page go before the next one arrives: one page at a time
    } while (token != null && !token.isEmpty());
  }

  /** The continue token a 410 Gone offers for resuming from the latest state, if any. */
  private static String expiredButResumable(KubernetesClientException e) {
    if (e.getCode() != 410 || e.getStatus() == null || e.getStatus().getMetadata() == null) {
      return null;
    }
    String next = e.getStatus().getMetadata().getContinue();
    return next == null || next.isEmpty() ? null : next;
  }
}
