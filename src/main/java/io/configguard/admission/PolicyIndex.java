package io.configguard.admission;

import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.PolicySpec;
import io.configguard.policy.Freeze;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The compiled policies the webhook enforces. Writers (the informers or the policy folder) change
 * it one policy at a time; readers get an immutable {@link PolicySet} snapshot swapped atomically,
 * so a request never sees half an update. A policy that does not compile is logged, counted and
 * left out; it never affects the others.
 */
public final class PolicyIndex {
  private static final Logger LOG = Logger.getLogger(PolicyIndex.class);

  private final PolicyCompiler compiler;
  private final AdmissionMetrics metrics;
  private final Map<PolicyRef, Policy> compiled = new HashMap<>();
  private final Map<PolicyRef, List<String>> rejected = new HashMap<>();
  private final Map<String, Freeze> freezeByName = new HashMap<>();
  private volatile PolicySet current = PolicySet.of(List.of());
  private volatile List<Freeze> freezes = List.of();
  private volatile boolean loaded;

  public PolicyIndex(PolicyCompiler compiler, AdmissionMetrics metrics) {
    this.compiler = compiler;
    this.metrics = metrics;
    metrics.policies(() -> current.size());
  }

  /** The policies in force now; never null. */
  public PolicySet current() {
    return current;
  }

  /** The ConfigFreezes that deny writes now; never null. */
  public List<Freeze> freezes() {
    return freezes;
  }

  /** Adds or replaces a ConfigFreeze; one that does not deny writes (or does not compile) goes. */
  public synchronized void putFreeze(String name, ConfigFreezeSpec spec) {
    try {
      Freeze freeze = Freeze.compile(name, spec);
      if (freeze == null) {
        freezeByName.remove(name);
      } else {
        freezeByName.put(name, freeze);
      }
    } catch (InvalidPolicyException e) {
      freezeByName.remove(name);
      LOG.errorf(
          "ConfigFreeze %s does not freeze writes: %s", name, String.join("; ", e.reasons()));
    }
    freezes = List.copyOf(freezeByName.values());
  }

  public synchronized void removeFreeze(String name) {
    freezeByName.remove(name);
    freezes = List.copyOf(freezeByName.values());
  }

  /** Whether the first full set of policies has been read (readiness). */
  public boolean isLoaded() {
    return loaded;
  }

  public void markLoaded() {
    loaded = true;
  }

  /** Compiles and adds or replaces one policy; if it does not compile, the old one goes too. */
  public synchronized void put(PolicyRef ref, String source, PolicySpec spec) {
    compile(ref, source, spec);
    publish();
  }

  public synchronized void remove(PolicyRef ref) {
    compiled.remove(ref);
    rejected.remove(ref);
    publish();
  }

  /** Replaces every policy with the given definitions (a re-read of the policy folder). */
  public synchronized void replaceAll(List<PolicyFiles.Definition> definitions) {
    freezeByName.clear();
    freezes = List.of();
    compiled.clear();
    rejected.clear();
    for (PolicyFiles.Definition definition : definitions) {
      if (definition.errors().isEmpty()) {
        compile(definition.ref(), definition.source(), definition.spec());
      } else {
        reject(definition.ref(), definition.source(), definition.errors());
      }
    }
    publish();
  }

  /** Policies left out because they do not compile, with their reasons. */
  public synchronized Map<PolicyRef, List<String>> rejected() {
    return Map.copyOf(rejected);
  }

  private void compile(PolicyRef ref, String source, PolicySpec spec) {
    try {
      compiled.put(ref, compiler.compile(ref, spec));
      rejected.remove(ref);
    } catch (InvalidPolicyException e) {
      compiled.remove(ref);
      reject(ref, source, e.reasons());
    } catch (RuntimeException e) {
      // A compiler bug on one odd policy must not take the others down with it.
      compiled.remove(ref);
      reject(ref, source, List.of("spec: cannot be compiled: " + e));
    }
  }

  private void reject(PolicyRef ref, String source, List<String> reasons) {
    rejected.put(ref, List.copyOf(reasons));
    metrics.compileError();
    LOG.errorf(
        "%s %s (%s) is not enforced: %s", ref.kind(), ref.id(), source, String.join("; ", reasons));
  }

  private void publish() {
    current = PolicySet.of(List.copyOf(compiled.values()));
  }
}
