package io.configguard.lifecycle;

import io.configguard.lifecycle.WebhookRules.Need;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
    UNCHANGED
  }

  private final KubernetesClient client;
  private final WebhookSettings settings;
  private final ApiResources resources;
  private final List<NeedSource> sources;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicLong writes = new AtomicLong();

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

  /** Starts the periodic resync, with a first sync right away. Idempotent. */
  public void start() {
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
    List<Need> needs = new ArrayList<>();
    sources.forEach(s -> needs.addAll(s.needs()));
    ValidatingWebhookConfiguration desired =
        WebhookConfigurations.desired(
            settings, WebhookRules.of(needs, resources), caBundle(), owner());
    var configurations = client.admissionRegistration().v1().validatingWebhookConfigurations();
    for (int attempt = 1; ; attempt++) {
      ValidatingWebhookConfiguration actual = configurations.withName(settings.name()).get();
      try {
        if (actual == null) {
          configurations.resource(desired).create();
          writes.incrementAndGet();
          LOG.infof(
              "Created ValidatingWebhookConfiguration %s with %d rules",
              settings.name(), desired.getWebhooks().get(0).getRules().size());
          return Outcome.CREATED;
        }
        if (WebhookConfigurations.upToDate(actual, desired)) {
          return Outcome.UNCHANGED;
        }
        // update() sends the resourceVersion just read: a concurrent writer makes it fail.
        configurations.resource(WebhookConfigurations.rewrite(actual, desired)).update();
        writes.incrementAndGet();
        LOG.infof(
            "Updated ValidatingWebhookConfiguration %s: %d rules",
            settings.name(), desired.getWebhooks().get(0).getRules().size());
        return Outcome.UPDATED;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.debugf("Conflict writing %s (attempt %d); reading again", settings.name(), attempt);
      }
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
