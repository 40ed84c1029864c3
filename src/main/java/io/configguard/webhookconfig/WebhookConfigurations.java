package io.configguard.webhookconfig;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
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
  /** The name of the main webhook: policies, freezes, configguard's own kinds. */
  public static final String WEBHOOK_NAME = "validate.configguard.io";

  /**
   * The webhook that sends every CREATE, UPDATE and DELETE of a ConfigMap labelled {@link
   * #TRACK_LABEL} (in the object or the old object) to configguard, always, whatever policies
   * exist: the admission side may rely on seeing every write of a GuardedRollout's derived {@code
   * -stable}/{@code -candidate} ConfigMaps outside the excluded namespaces. It selects by {@code
   * objectSelector}, which the API server evaluates against both object and oldObject, so it works
   * without matchConditions (any Kubernetes version).
   */
  public static final String TRACKS_WEBHOOK_NAME = "tracks.configguard.io";

  /** The label that marks a GuardedRollout's derived ConfigMaps (value: the rollout's name). */
  public static final String TRACK_LABEL = io.configguard.rollout.RolloutKeys.ROLLOUT;

  /** The operations of derived ConfigMaps the tracks webhook always sends. */
  public static final List<String> TRACK_OPERATIONS = List.of("CREATE", "DELETE", "UPDATE");

  static final Map<String, String> LABELS =
      Map.of(
          "app.kubernetes.io/name", "configguard", "app.kubernetes.io/managed-by", "configguard");
  static final String NAMESPACE_NAME_LABEL = io.configguard.rollout.NamespaceLabels.NAME_LABEL;

  private WebhookConfigurations() {}

  /**
   * The configuration configguard wants.
   *
   * @param rules the main webhook's rules
   * @param conditions the main webhook's matchConditions; null or empty for none (an API server
   *     without them)
   * @param caBundle base64 of the PEM CA bundle, or null to trust the system roots (url mode)
   * @param owner the owner reference (the chart's ClusterRole), or null for none
   */
  public static ValidatingWebhookConfiguration desired(
      WebhookSettings settings,
      List<RuleWithOperations> rules,
      List<MatchCondition> conditions,
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
        webhook(WEBHOOK_NAME, settings, notExcluded, client)
            .withObjectSelector(new LabelSelector())
            .withRules(rules)
            .withMatchConditions(conditions == null || conditions.isEmpty() ? null : conditions)
            .build();
    ValidatingWebhook tracks =
        webhook(TRACKS_WEBHOOK_NAME, settings, notExcluded, client)
            .withObjectSelector(
                new LabelSelectorBuilder()
                    .addNewMatchExpression()
                    .withKey(TRACK_LABEL)
                    .withOperator("Exists")
                    .endMatchExpression()
                    .build())
            .withRules(
                new RuleWithOperationsBuilder()
                    .withApiGroups("")
                    .withApiVersions("v1")
                    .withOperations(TRACK_OPERATIONS)
                    .withResources("configmaps")
                    .withScope("*")
                    .build())
            .build();
    return new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(settings.name())
        .withLabels(LABELS)
        .withOwnerReferences(owner == null ? List.of() : List.of(owner))
        .endMetadata()
        .withWebhooks(webhook, tracks)
        .build();
  }

  /** What the main webhook and the tracks webhook share. */
  private static ValidatingWebhookBuilder webhook(
      String name,
      WebhookSettings settings,
      LabelSelector notExcluded,
      WebhookClientConfigBuilder client) {
    return new ValidatingWebhookBuilder()
        .withName(name)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withTimeoutSeconds(settings.timeoutSeconds())
        .withFailurePolicy(settings.failurePolicy())
        .withMatchPolicy("Equivalent")
        .withNamespaceSelector(notExcluded)
        .withClientConfig(client.build());
  }

  /** The main webhook of a configuration (policies, freezes, own kinds), or null. */
  public static ValidatingWebhook main(ValidatingWebhookConfiguration configuration) {
    return webhook(configuration, WEBHOOK_NAME);
  }

  /** The webhook of a configuration with that name, or null. */
  public static ValidatingWebhook webhook(
      ValidatingWebhookConfiguration configuration, String name) {
    if (configuration == null || configuration.getWebhooks() == null) {
      return null;
    }
    return configuration.getWebhooks().stream()
        .filter(w -> name.equals(w.getName()))
        .findFirst()
        .orElse(null);
  }

  /**
   * Whether {@code configuration} sends every CREATE, UPDATE and DELETE of a ConfigMap labelled
   * {@link #TRACK_LABEL} to configguard (outside the excluded namespaces), whatever else it does:
   * the guarantee the derived-ConfigMap admission rule depends on. What happens while configguard
   * cannot answer is the configured failurePolicy (the chart's default, Fail, refuses the write).
   */
  public static boolean sendsRolloutTracks(ValidatingWebhookConfiguration configuration) {
    ValidatingWebhook w = webhook(configuration, TRACKS_WEBHOOK_NAME);
    if (w == null || (w.getMatchConditions() != null && !w.getMatchConditions().isEmpty())) {
      return false;
    }
    var selector = w.getObjectSelector();
    boolean byLabel =
        selector != null
            && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
            && selector.getMatchExpressions() != null
            && selector.getMatchExpressions().size() == 1
            && TRACK_LABEL.equals(selector.getMatchExpressions().get(0).getKey())
            && "Exists".equals(selector.getMatchExpressions().get(0).getOperator());
    boolean rules =
        w.getRules() != null
            && w.getRules().stream()
                .anyMatch(
                    r ->
                        r.getApiGroups().contains("")
                            && (r.getApiVersions().contains("v1")
                                || r.getApiVersions().contains("*"))
                            && (r.getResources().contains("configmaps")
                                || r.getResources().contains("*"))
                            && (r.getOperations().containsAll(TRACK_OPERATIONS)
                                || r.getOperations().contains("*")));
    return byLabel && rules;
  }

  /**
   * Whether the API server dropped the matchConditions {@code desired} asked for (a server that
   * does not know the field, or has its feature gate off, stores the webhook without them).
   */
  public static boolean droppedMatchConditions(
      ValidatingWebhookConfiguration desired, ValidatingWebhookConfiguration stored) {
    ValidatingWebhook want = main(desired);
    if (want == null || want.getMatchConditions() == null || want.getMatchConditions().isEmpty()) {
      return false;
    }
    ValidatingWebhook got = main(stored);
    return got == null || got.getMatchConditions() == null || got.getMatchConditions().isEmpty();
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
