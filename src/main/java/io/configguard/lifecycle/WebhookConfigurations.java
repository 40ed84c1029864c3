package io.configguard.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The desired ValidatingWebhookConfiguration, and whether one read from the cluster already is it.
 * Pure functions; {@link WebhookSync} does the reading and writing.
 */
public final class WebhookConfigurations {
  /** The name of the one webhook in the configuration (must be a qualified name). */
  public static final String WEBHOOK_NAME = "validate.configguard.io";

  static final Map<String, String> LABELS =
      Map.of(
          "app.kubernetes.io/name", "configguard", "app.kubernetes.io/managed-by", "configguard");
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private WebhookConfigurations() {}

  /**
   * The configuration configguard wants.
   *
   * @param caBundle base64 of the PEM CA bundle, or null to trust the system roots (url mode)
   * @param owner the owner reference (the chart's ClusterRole), or null for none
   */
  public static ValidatingWebhookConfiguration desired(
      WebhookSettings settings,
      List<RuleWithOperations> rules,
      String caBundle,
      OwnerReference owner) {
    WebhookClientConfigBuilder client = new WebhookClientConfigBuilder().withCaBundle(caBundle);
    if (settings.url().isPresent()) {
      client.withUrl(settings.url().get());
    } else {
      client
          .withNewService()
          .withName(settings.serviceName())
          .withNamespace(settings.serviceNamespace())
          .withPort(settings.servicePort())
          .withPath(settings.path())
          .endService();
    }
    LabelSelector notExcluded =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey(NAMESPACE_NAME_LABEL)
            .withOperator("NotIn")
            .withValues(List.copyOf(settings.excludedNamespaces()))
            .endMatchExpression()
            .build();
    // Every field the API server would default is set, so a read-back compares equal.
    ValidatingWebhook webhook =
        new ValidatingWebhookBuilder()
            .withName(WEBHOOK_NAME)
            .withAdmissionReviewVersions("v1")
            .withSideEffects("None")
            .withTimeoutSeconds(settings.timeoutSeconds())
            .withFailurePolicy(settings.failurePolicy())
            .withMatchPolicy("Equivalent")
            .withNamespaceSelector(notExcluded)
            .withObjectSelector(new LabelSelector())
            .withClientConfig(client.build())
            .withRules(rules)
            .build();
    return new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(settings.name())
        .withLabels(LABELS)
        .withOwnerReferences(owner == null ? List.of() : List.of(owner))
        .endMetadata()
        .withWebhooks(webhook)
        .build();
  }

  /** An owner reference to a cluster-scoped ClusterRole. */
  public static OwnerReference ownedBy(String clusterRole, String uid) {
    return new OwnerReferenceBuilder()
        .withApiVersion("rbac.authorization.k8s.io/v1")
        .withKind("ClusterRole")
        .withName(clusterRole)
        .withUid(uid)
        .build();
  }

  /**
   * Whether {@code actual} already says what {@code desired} says: the same webhooks (in the fields
   * configguard sets), its labels, and its owner. Fields others add and configguard does not manage
   * (annotations, other owners) do not count.
   */
  public static boolean upToDate(
      ValidatingWebhookConfiguration actual, ValidatingWebhookConfiguration desired) {
    if (!managed(actual.getWebhooks()).equals(managed(desired.getWebhooks()))) {
      return false;
    }
    Map<String, String> labels = actual.getMetadata().getLabels();
    if (labels == null || !labels.entrySet().containsAll(LABELS.entrySet())) {
      return false;
    }
    List<OwnerReference> owners = actual.getMetadata().getOwnerReferences();
    return desired.getMetadata().getOwnerReferences().stream()
        .allMatch(
            want ->
                owners != null
                    && owners.stream().anyMatch(o -> Objects.equals(o.getUid(), want.getUid())));
  }

  /**
   * {@code actual} rewritten to {@code desired}: same resourceVersion (so the write is
   * conditional), other labels, annotations and owners kept, webhooks replaced.
   */
  public static ValidatingWebhookConfiguration rewrite(
      ValidatingWebhookConfiguration actual, ValidatingWebhookConfiguration desired) {
    ObjectMeta meta = actual.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    labels.putAll(LABELS);
    List<OwnerReference> owners = new ArrayList<>();
    List<OwnerReference> wanted = desired.getMetadata().getOwnerReferences();
    if (meta.getOwnerReferences() != null) {
      for (OwnerReference o : meta.getOwnerReferences()) {
        // A stale reference to the same ClusterRole (reinstalled: new uid) is replaced.
        boolean replaced =
            wanted.stream()
                .anyMatch(w -> w.getKind().equals(o.getKind()) && w.getName().equals(o.getName()));
        if (!replaced) {
          owners.add(o);
        }
      }
    }
    owners.addAll(wanted);
    return new ValidatingWebhookConfigurationBuilder(actual)
        .editMetadata()
        .withLabels(labels)
        .withOwnerReferences(owners)
        .endMetadata()
        .withWebhooks(desired.getWebhooks())
        .build();
  }

  /** The webhooks as JSON, reduced to the fields configguard sets. */
  private static JsonNode managed(List<ValidatingWebhook> webhooks) {
    List<ValidatingWebhook> out = new ArrayList<>();
    for (ValidatingWebhook w : webhooks == null ? List.<ValidatingWebhook>of() : webhooks) {
      WebhookClientConfig c = w.getClientConfig();
      out.add(
          new ValidatingWebhookBuilder()
              .withName(w.getName())
              .withAdmissionReviewVersions(w.getAdmissionReviewVersions())
              .withSideEffects(w.getSideEffects())
              .withTimeoutSeconds(w.getTimeoutSeconds())
              .withFailurePolicy(w.getFailurePolicy())
              .withMatchPolicy(w.getMatchPolicy())
              .withNamespaceSelector(w.getNamespaceSelector())
              .withObjectSelector(w.getObjectSelector())
              .withClientConfig(
                  c == null
                      ? null
                      : new WebhookClientConfigBuilder()
                          .withCaBundle(c.getCaBundle())
                          .withUrl(c.getUrl())
                          .withService(c.getService())
                          .build())
              .withRules(w.getRules())
              .withMatchConditions(w.getMatchConditions())
              .build());
    }
    return Serialization.jsonMapper().valueToTree(out);
  }
}
