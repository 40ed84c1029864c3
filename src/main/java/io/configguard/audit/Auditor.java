package io.configguard.audit;

import io.configguard.api.AuditStatus;
import io.configguard.api.PolicySpec;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyRef;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Runs the background audit of every valid policy: right away when a policy is new or its spec
 * changed, then every interval (rescheduled after each run, never a sleeping thread). Audits run
 * one at a time on one thread, so the whole operator holds at most one page of objects. Each result
 * is kept for the policy's status and published as the gauge {@code
 * configguard_policy_violations{policy=...}}.
 */
public final class Auditor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Auditor.class);
  public static final String GAUGE = "configguard.policy.violations";

  private final PolicyAudit audit;
  private final Duration interval;
  private final MeterRegistry registry;
  private final ScheduledExecutorService executor;
  private final Map<PolicyRef, Tracked> tracked = new ConcurrentHashMap<>();
  private volatile Consumer<PolicyRef> listener = ref -> {};

  /** A policy under audit: the compiled version, its next run and its last result. */
  private static final class Tracked {
    final Policy policy;
    final PolicySpec spec;
    final long generation;
    ScheduledFuture<?> next;
    volatile AuditStatus last;
    final AtomicLong violations; // shared across generations: the gauge reads it
    Gauge gauge;

    Tracked(Policy policy, PolicySpec spec, long generation, AtomicLong violations) {
      this.policy = policy;
      this.spec = spec;
      this.generation = generation;
      this.violations = violations;
    }
  }

  public Auditor(PolicyAudit audit, Duration interval, MeterRegistry registry) {
    this.audit = audit;
    this.interval = interval;
    this.registry = registry;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "configguard-audit");
              t.setDaemon(true);
              return t;
            });
  }

  /** Called after each audit with the policy whose result changed. */
  public void listen(Consumer<PolicyRef> listener) {
    this.listener = listener;
  }

  /** Audits the policy now if it is new or its generation changed; otherwise keeps the schedule. */
  public synchronized void track(PolicyRef ref, Policy policy, PolicySpec spec, long generation) {
    Tracked was = tracked.get(ref);
    if (was != null && was.generation == generation) {
      return;
    }
    Tracked now =
        new Tracked(policy, spec, generation, was == null ? new AtomicLong() : was.violations);
    if (was != null) {
      was.next.cancel(false);
      now.last = was.last;
      now.gauge = was.gauge;
    }
    tracked.put(ref, now);
    schedule(ref, now, Duration.ZERO);
  }

  /** Stops auditing the policy (deleted, or no longer compiles) and drops its gauge. */
  public synchronized void forget(PolicyRef ref) {
    Tracked was = tracked.remove(ref);
    if (was != null) {
      was.next.cancel(false);
      if (was.gauge != null) {
        registry.remove(was.gauge);
      }
    }
  }

  /** The latest audit of the policy, if one finished since it was tracked. */
  public Optional<AuditStatus> result(PolicyRef ref) {
    Tracked t = tracked.get(ref);
    return t == null ? Optional.empty() : Optional.ofNullable(t.last);
  }

  private void schedule(PolicyRef ref, Tracked t, Duration delay) {
    t.next = executor.schedule(() -> run(ref, t), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run(PolicyRef ref, Tracked t) {
    if (tracked.get(ref) != t) {
      return; // superseded by a newer generation, or forgotten
    }
    long started = System.nanoTime();
    try {
      AuditStatus result = audit.run(t.policy, t.spec);
      synchronized (this) {
        if (tracked.get(ref) != t) {
          return;
        }
        t.last = result;
        t.violations.set(result.violationCount);
        if (t.gauge == null) {
          t.gauge =
              Gauge.builder(GAUGE, t.violations, AtomicLong::doubleValue)
                  .description("Violations the last background audit found, per policy")
                  .tag("policy", ref.id())
                  .strongReference(true)
                  .register(registry);
        }
      }
      LOG.debugf(
          "Audited %s: %d objects, %d violations in %d ms",
          ref.id(),
          result.objectsChecked,
          result.violationCount,
          (System.nanoTime() - started) / 1_000_000);
      listener.accept(ref);
    } catch (RuntimeException e) {
      LOG.warnf(e, "Audit of %s failed; next attempt in %s", ref.id(), interval);
    }
    synchronized (this) {
      if (tracked.get(ref) == t) {
        schedule(ref, t, interval);
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
