package io.configguard.policy;

import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.PolicySpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one owner of compiled policies and freezes. A policy is compiled once per version (its
 * identity and the generation of its spec), however many readers ask for it: the webhook's index,
 * the background audit and policy status, the webhook-configuration sync and, through the index,
 * the operator's pre-flight. A change to one policy recompiles that one; a status write (same
 * generation) recompiles nothing. Thread-safe: different policies compile in parallel. The
 * ConfigFreezes that deny writes are kept here too, with listeners told of every change (the
 * webhook configuration follows them).
 */
public final class CompiledPolicies {
  /** One version of a policy compiled: the policy, or the reasons it does not compile. */
  public record Outcome(String version, Policy policy, List<String> reasons) {
    public boolean valid() {
      return policy != null;
    }
  }

  /** A policy to compile: its identity, version and spec. */
  public record Request(PolicyRef ref, String version, PolicySpec spec) {}

  private final PolicyCompiler compiler;
  private final ConcurrentHashMap<PolicyRef, Outcome> latest = new ConcurrentHashMap<>();
  private final LongAdder compilations = new LongAdder();
  private final Map<String, Freeze> freezeByName = new HashMap<>();
  private final List<Runnable> freezeListeners = new CopyOnWriteArrayList<>();
  private volatile List<Freeze> freezes = List.of();

  public CompiledPolicies(PolicyCompiler compiler) {
    this.compiler = compiler;
  }

  /**
   * The version of a policy object: its uid and spec generation; the resourceVersion where the
   * server keeps no generation. A policy deleted and re-created under its name is a new version.
   */
  public static String version(String uid, Long generation, String resourceVersion) {
    return uid + (generation != null ? "/g" + generation : "/rv" + resourceVersion);
  }

  /** The policy compiled at this version; compiles it only if this version was not seen last. */
  public Outcome compile(PolicyRef ref, String version, PolicySpec spec) {
    Outcome seen = latest.get(ref);
    if (seen != null && seen.version().equals(version)) {
      return seen;
    }
    // One compilation per policy version even when two readers ask at once.
    return latest.compute(
        ref,
        (r, old) -> old != null && old.version().equals(version) ? old : fresh(r, version, spec));
  }

  /** Compiles many policies, in parallel over the common pool; outcomes in request order. */
  public List<Outcome> compileAll(Collection<Request> requests) {
    return requests.parallelStream().map(r -> compile(r.ref(), r.version(), r.spec())).toList();
  }

  /** Drops the policy's compiled form if it is still at this version (the policy is gone). */
  public void forget(PolicyRef ref, String version) {
    latest.computeIfPresent(ref, (r, old) -> old.version().equals(version) ? null : old);
  }

  /** How many compilations ran since this was created (for tests and metrics). */
  public long compilations() {
    return compilations.sum();
  }

  private Outcome fresh(PolicyRef ref, String version, PolicySpec spec) {
    compilations.increment();
    try {
      return new Outcome(version, compiler.compile(ref, spec), List.of());
    } catch (InvalidPolicyException e) {
      return new Outcome(version, null, List.copyOf(e.reasons()));
    } catch (RuntimeException e) {
      // A compiler bug on one odd policy must not take the others down with it.
      return new Outcome(version, null, List.of("spec: cannot be compiled: " + e));
    }
  }

  /** The ConfigFreezes that deny writes now; never null. */
  public List<Freeze> freezes() {
    return freezes;
  }

  /**
   * Adds or replaces a ConfigFreeze; one that does not deny writes, or does not compile, goes.
   * Returns why it does not compile (empty if it does).
   */
  public List<String> putFreeze(String name, ConfigFreezeSpec spec) {
    List<String> problems = List.of();
    synchronized (freezeByName) {
      try {
        Freeze freeze = Freeze.compile(name, spec);
        if (freeze == null) {
          freezeByName.remove(name);
        } else {
          freezeByName.put(name, freeze);
        }
      } catch (InvalidPolicyException e) {
        freezeByName.remove(name);
        problems = List.copyOf(e.reasons());
      }
      freezes = List.copyOf(freezeByName.values());
    }
    freezeListeners.forEach(Runnable::run);
    return problems;
  }

  public void removeFreeze(String name) {
    synchronized (freezeByName) {
      freezeByName.remove(name);
      freezes = List.copyOf(freezeByName.values());
    }
    freezeListeners.forEach(Runnable::run);
  }

  /** Drops every freeze (a re-read of the policy folder). */
  public void clearFreezes() {
    synchronized (freezeByName) {
      freezeByName.clear();
      freezes = List.of();
    }
  }

  /** Runs {@code listener} after every change of a ConfigFreeze. */
  public void onFreezeChange(Runnable listener) {
    freezeListeners.add(listener);
  }
}
