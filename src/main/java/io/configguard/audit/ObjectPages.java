package io.configguard.audit;

import io.configguard.discovery.ApiResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.function.Consumer;

/** Lists the objects of one resource page by page, never all at once. */
public interface ObjectPages {
  /**
   * Hands each page of the listing to {@code page} in turn and forgets it before fetching the next,
   * so at most one page is held at a time.
   *
   * @param namespace the namespace to list, or null for every namespace
   * @param selector a label selector the server applies, or null
   */
  void forEachPage(
      ApiResource resource,
      String namespace,
      LabelSelector selector,
      Consumer<List<GenericKubernetesResource>> page);
}
