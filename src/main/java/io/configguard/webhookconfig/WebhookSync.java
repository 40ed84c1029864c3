package io.configguard.webhookconfig;

import io.configguard.discovery.ApiResources;
import io.configguard.webhookconfig.WebhookRules.Need;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Keeps the one ValidatingWebhookConfiguration equal to what the installed policies need. Requests
 * are coalesced (a burst of policy changes is one write), writes are conditional on the
 * resourceVersion read (409: read again and retry), and nothing is written when the configuration
 * already says the right thing. A periodic resync repairs edits by others and picks up a rotated CA
 * bundle.
 */
public final class WebhookSync implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WebhookSync.class);
  private static final int ATTEMPTS = 5;

  /** Anything that needs the webhook to see some kinds and operations. */
  public interface NeedSource {
    List<Need> needs();
  }

  /** What one sync did. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED,
    /** Nothing read or written: configguard must not write this configuration (see the log). */
    NOT_MANAGED
  }

  private final KubernetesClient client;
  private final WebhookSettings settings;
  private final ApiResources resources;
  private final List<NeedSource> sources;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicLong writes = new AtomicLong();

  /** Whether the API server keeps matchConditions: null until known, then for good. */
  private volatile Boolean matchConditions;

  private volatile WebhookMatchConditions.Precision precision;

  /** /version is asked once per process. */
  private volatile boolean versionChecked;

  public WebhookSync(
      KubernetesClient client,
      WebhookSettings settings,
      ApiResources resources,
      List<NeedSource> sources) {
    this.client = client;
    this.settings = settings;
    this.resources = resources;
    this.sources = List.copyOf(sources);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "configguard-webhook-sync");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the periodic resync, with a first sync right away. Idempotent. Does nothing, and says
   * why and what to do instead, when configguard must not write the configuration.
   */
  public void start() {
    Optional<String> why = settings.whyNotWritten();
    if (why.isPresent()) {
      if (started.compareAndSet(false, true)) {
        LOG.warnf("Not writing ValidatingWebhookConfiguration %s: %s", settings.name(), why.get());
        warnAboutLeftover();
      }
      return;
    }
    if (started.compareAndSet(false, true)) {
      long every = settings.resync().toMillis();
      executor.scheduleWithFixedDelay(this::request, 0, every, TimeUnit.MILLISECONDS);
    }
  }

  /** Asks for a sync soon; requests until it runs are coalesced into one. */
  public void request() {
    if (pending.compareAndSet(false, true)) {
      executor.schedule(this::runPending, settings.debounce().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Number of writes (creates and updates) so far, for tests and logs. */
  public long writes() {
    return writes.get();
  }

  private void runPending() {
    pending.set(false);
    try {
      syncNow();
    } catch (RuntimeException e) {
      LOG.warnf(e, "Could not update ValidatingWebhookConfiguration %s; retrying", settings.name());
      retryLater();
    }
  }

  private void retryLater() {
    long delay = Math.min(settings.resync().toMillis(), Duration.ofSeconds(10).toMillis());
    executor.schedule(this::request, Math.max(delay, 1), TimeUnit.MILLISECONDS);
  }

  /** One sync, now, on the calling thread. */
  public synchronized Outcome syncNow() {
    if (settings.whyNotWritten().isPresent()) {
      return Outcome.NOT_MANAGED;
    }
    List<Need> needs = new ArrayList<>();
    sources.forEach(s -> needs.addAll(s.needs()));
    List<RuleWithOperations> rules = WebhookRules.of(needs, resources);
    String caBundle = caBundle();
    OwnerReference owner = owner();
    ValidatingWebhookConfiguration desired =
        WebhookConfigurations.desired(settings, rules, conditions(needs), caBundle, owner);
    Outcome outcome;
    try {
      outcome = write(desired);
    } catch (KubernetesClientException e) {
      if (!rejectsMatchConditions(e, desired)) {
        throw e;
      }
      noMatchConditions("it refused them (" + e.getCode() + " " + e.getMessage() + ")");
      return write(WebhookConfigurations.desired(settings, rules, null, caBundle, owner));
    }
    return outcome;
  }

  /**
   * The main webhook's conditions: the guard over every need, and the hand-off of rollout tracks to
   * their own webhook. Null when the API server keeps no matchConditions.
   */
  private List<MatchCondition> conditions(List<Need> needs) {
    if (!matchConditionsSupported()) {
      return null;
    }
    WebhookMatchConditions.Guard guard = WebhookMatchConditions.guard(needs);
    if (guard.precision() != precision) {
      precision = guard.precision();
      switch (guard.precision()) {
        case EXACT ->
            LOG.infof(
                "ValidatingWebhookConfiguration %s: matchConditions name every guarded object;"
                    + " writes no policy or freeze could judge never reach configguard",
                settings.name());
        case PER_KIND ->
            LOG.warnf(
                "ValidatingWebhookConfiguration %s: too many policies for exact matchConditions"
                    + " (more than %d characters); guarding by kind and name only",
                settings.name(), WebhookMatchConditions.MAX_EXPRESSION_LENGTH);
        case NONE ->
            LOG.warnf(
                "ValidatingWebhookConfiguration %s: too many policies for matchConditions (more than"
                    + " %d characters); every write of the kinds they match is sent to configguard",
                settings.name(), WebhookMatchConditions.MAX_EXPRESSION_LENGTH);
      }
    }
    List<MatchCondition> out = new ArrayList<>();
    if (guard.condition() != null) {
      out.add(guard.condition());
    }
    out.add(WebhookMatchConditions.notATrack());
    return out;
  }

  /**
   * matchConditions are beta and on by default from Kubernetes 1.28 (alpha, off by default, in
   * 1.27; GA in 1.30). An older server is known from /version; one with the feature off drops the
   * field, which the first write shows.
   */
  private boolean matchConditionsSupported() {
    if (matchConditions == null && !versionChecked) {
      versionChecked = true;
      try {
        VersionInfo version = client.getKubernetesVersion();
        int minor = Integer.parseInt(version.getMinor().replaceAll("[^0-9].*$", ""));
        int major = Integer.parseInt(version.getMajor().replaceAll("[^0-9].*$", ""));
        if (major == 1 && minor < 27) {
          noMatchConditions("it is " + version.getGitVersion() + " (they need 1.28 or later)");
        }
      } catch (RuntimeException e) {
        // No answer from /version: try them; a server that drops them is noticed on write.
        LOG.debugf("No Kubernetes version (%s); trying matchConditions", e.getMessage());
      }
    }
    return !Boolean.FALSE.equals(matchConditions);
  }

  private void noMatchConditions(String why) {
    matchConditions = false;
    LOG.warnf(
        "The API server does not support matchConditions: %s. ValidatingWebhookConfiguration %s"
            + " keeps rules only: while configguard is down, every write of the kinds policies"
            + " match is refused (failurePolicy %s)",
        why, settings.name(), settings.failurePolicy());
  }

  private static boolean rejectsMatchConditions(
      KubernetesClientException e, ValidatingWebhookConfiguration desired) {
    var main = WebhookConfigurations.main(desired);
    return (e.getCode() == 400 || e.getCode() == 422)
        && main != null
        && main.getMatchConditions() != null
        && String.valueOf(e.getMessage()).contains("matchConditions");
  }

  private Outcome write(ValidatingWebhookConfiguration desired) {
    var configurations = client.admissionRegistration().v1().validatingWebhookConfigurations();
    for (int attempt = 1; ; attempt++) {
      ValidatingWebhookConfiguration actual = configurations.withName(settings.name()).get();
      try {
        ValidatingWebhookConfiguration stored;
        Outcome outcome;
        if (actual == null) {
          stored = configurations.resource(desired).create();
          outcome = Outcome.CREATED;
        } else if (WebhookConfigurations.upToDate(actual, desired)) {
          return Outcome.UNCHANGED;
        } else {
          // update() sends the resourceVersion just read: a concurrent writer makes it fail.
          stored = configurations.resource(WebhookConfigurations.rewrite(actual, desired)).update();
          outcome = Outcome.UPDATED;
        }
        writes.incrementAndGet();
        var main = WebhookConfigurations.main(desired);
        LOG.infof(
            "%s ValidatingWebhookConfiguration %s: %d rules, %d matchConditions",
            outcome == Outcome.CREATED ? "Created" : "Updated",
            settings.name(),
            main.getRules().size(),
            main.getMatchConditions() == null ? 0 : main.getMatchConditions().size());
        if (stored != null && WebhookConfigurations.droppedMatchConditions(desired, stored)) {
          noMatchConditions("it stored the webhook without them");
          main.setMatchConditions(null);
          // Write again without them, so the next sync does not see a difference forever.
          write(desired);
        } else if (main.getMatchConditions() != null && matchConditions == null) {
          matchConditions = true;
        }
        return outcome;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.debugf("Conflict writing %s (attempt %d); reading again", settings.name(), attempt);
      }
    }
  }

  /**
   * Out of cluster, a configuration an earlier version of configguard wrote may still point at a
   * Service that does not exist, refusing writes: say so (it is not deleted: it may be someone
   * else's).
   */
  private void warnAboutLeftover() {
    if (settings.inCluster() || !settings.manage()) {
      return;
    }
    try {
      ValidatingWebhookConfiguration existing =
          client
              .admissionRegistration()
              .v1()
              .validatingWebhookConfigurations()
              .withName(settings.name())
              .get();
      ValidatingWebhook main = WebhookConfigurations.main(existing);
      if (main != null
          && main.getClientConfig() != null
          && main.getClientConfig().getService() != null) {
        var service = main.getClientConfig().getService();
        LOG.warnf(
            "ValidatingWebhookConfiguration %s exists and sends writes to Service %s/%s"
                + " (failurePolicy %s). If that Service does not exist (a leftover of running"
                + " serve from outside the cluster), it refuses those writes: kubectl delete"
                + " validatingwebhookconfiguration %s",
            settings.name(),
            service.getNamespace(),
            service.getName(),
            main.getFailurePolicy(),
            settings.name());
      }
    } catch (RuntimeException e) {
      LOG.debugf("Could not read ValidatingWebhookConfiguration %s: %s", settings.name(), e);
    }
  }

  private String caBundle() {
    if (settings.caFile().isEmpty()) {
      return null;
    }
    try {
      byte[] pem = Files.readAllBytes(settings.caFile().get());
      if (pem.length == 0) {
        throw new IllegalStateException(
            "configguard.tls.ca-file " + settings.caFile().get() + " is empty");
      }
      return Base64.getEncoder().encodeToString(pem);
    } catch (IOException e) {
      // Never write a configuration without the CA: the API server could not call the webhook.
      throw new UncheckedIOException("cannot read configguard.tls.ca-file", e);
    }
  }

  private OwnerReference owner() {
    if (settings.ownerClusterRole().isEmpty()) {
      return null;
    }
    String name = settings.ownerClusterRole().get();
    ClusterRole role = client.rbac().clusterRoles().withName(name).get();
    if (role == null) {
      LOG.warnf(
          "ClusterRole %s (configguard.webhook.owner-cluster-role) not found: the webhook"
              + " configuration gets no owner and outlives an uninstall",
          name);
      return null;
    }
    return WebhookConfigurations.ownedBy(name, role.getMetadata().getUid());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
