package io.configguard.admission;

import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.PolicySpec;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.CompiledPolicies.Outcome;
import io.configguard.policy.Freeze;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.rollout.PolicySource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The compiled policies the webhook enforces and the operator's pre-flight evaluates. Writers (the
 * informers or the policy folder) change it one policy at a time; readers get an immutable {@link
 * PolicySet} snapshot swapped atomically, so a request never sees half an update. Compilation is
 * {@link CompiledPolicies}'s: a policy is compiled once per version, and a snapshot is rebuilt once
 * per change after the first full load (not once per policy while loading). A policy that does not
 * compile is logged, counted and left out; it never affects the others.
 */
public final class PolicyIndex implements PolicySource {
  private static final Logger LOG = Logger.getLogger(PolicyIndex.class);

  private final CompiledPolicies compiled;
  private final AdmissionMetrics metrics;
  private final Map<PolicyRef, Outcome> enforced = new HashMap<>();
  private volatile PolicySet current = PolicySet.EMPTY;
  private volatile boolean stale;
  private volatile boolean loaded;

  public PolicyIndex(PolicyCompiler compiler, AdmissionMetrics metrics) {
    this(new CompiledPolicies(compiler), metrics);
  }

  public PolicyIndex(CompiledPolicies compiled, AdmissionMetrics metrics) {
    this.compiled = compiled;
    this.metrics = metrics;
    metrics.policies(() -> current().size());
  }

  /** The policies in force now; never null. */
  public PolicySet current() {
    if (stale) {
      publish();
    }
    return current;
  }

  /** The compiled policies this index takes its policies from (shared with audit and sync). */
  public CompiledPolicies compiled() {
    return compiled;
  }

  /**
   * Pre-flight: the policies that can apply in the namespace. Before the first full load there is
   * no answer (a candidate checked against no policy would pass unchecked); the operator retries.
   */
  @Override
  public PolicySet policiesFor(String namespace) {
    if (!loaded) {
      throw new IllegalStateException("the policies are not loaded yet; pre-flight waits");
    }
    return current();
  }

  /** The ConfigFreezes that deny writes now; never null. */
  public List<Freeze> freezes() {
    return compiled.freezes();
  }

  /** Adds or replaces a ConfigFreeze; one that does not deny writes (or does not compile) goes. */
  public void putFreeze(String name, ConfigFreezeSpec spec) {
    List<String> problems = compiled.putFreeze(name, spec);
    if (!problems.isEmpty()) {
      LOG.errorf("ConfigFreeze %s does not freeze writes: %s", name, String.join("; ", problems));
    }
  }

  public void removeFreeze(String name) {
    compiled.removeFreeze(name);
  }

  /** Whether the first full set of policies has been read (readiness). */
  public boolean isLoaded() {
    return loaded;
  }

  /** The first full set is in: from now on every change is published as it comes. */
  public synchronized void markLoaded() {
    publish();
    loaded = true;
  }

  /**
   * Adds or replaces one policy at a version ({@link CompiledPolicies#version}); compiled only if
   * that version was not compiled before. If it does not compile, the old one goes too.
   */
  public synchronized void put(PolicyRef ref, String version, String source, PolicySpec spec) {
    enforce(ref, source, compiled.compile(ref, version, spec));
    changed();
  }

  /**
   * Adds the policies of a first list, compiled in parallel, except those already put or removed
   * meanwhile ({@code present} says which are still listed): the informer's own events, which may
   * be newer, win.
   */
  public void putListed(
      List<CompiledPolicies.Request> requests,
      Map<PolicyRef, String> sources,
      Predicate<PolicyRef> present) {
    List<Outcome> outcomes = compiled.compileAll(requests);
    synchronized (this) {
      for (int i = 0; i < requests.size(); i++) {
        PolicyRef ref = requests.get(i).ref();
        if (!enforced.containsKey(ref) && present.test(ref)) {
          enforce(ref, sources.getOrDefault(ref, ref.id()), outcomes.get(i));
        }
      }
      changed();
    }
  }

  public synchronized void remove(PolicyRef ref) {
    Outcome was = enforced.remove(ref);
    if (was != null) {
      compiled.forget(ref, was.version());
    }
    changed();
  }

  /** Replaces every policy with the given definitions (a re-read of the policy folder). */
  public synchronized void replaceAll(List<PolicyFiles.Definition> definitions) {
    compiled.clearFreezes();
    Map<PolicyRef, Outcome> before = new HashMap<>(enforced);
    enforced.clear();
    List<CompiledPolicies.Request> requests = new ArrayList<>();
    Map<PolicyRef, String> sources = new LinkedHashMap<>();
    for (PolicyFiles.Definition definition : definitions) {
      if (definition.errors().isEmpty()) {
        requests.add(
            new CompiledPolicies.Request(
                definition.ref(), contentVersion(definition.spec()), definition.spec()));
        sources.put(definition.ref(), definition.source());
      } else {
        reject(definition.ref(), definition.source(), definition.errors());
        enforced.put(definition.ref(), new Outcome("", null, List.copyOf(definition.errors())));
      }
    }
    List<Outcome> outcomes = compiled.compileAll(requests);
    for (int i = 0; i < requests.size(); i++) {
      PolicyRef ref = requests.get(i).ref();
      Outcome outcome = outcomes.get(i);
      if (!outcome.valid() && before.get(ref) != outcome) {
        reject(ref, sources.get(ref), outcome.reasons());
      }
      enforced.put(ref, outcome);
    }
    before.forEach(
        (ref, outcome) -> {
          if (!enforced.containsKey(ref)) {
            compiled.forget(ref, outcome.version());
          }
        });
    publish();
  }

  /** Policies left out because they do not compile, with their reasons. */
  public synchronized Map<PolicyRef, List<String>> rejected() {
    Map<PolicyRef, List<String>> out = new HashMap<>();
    enforced.forEach(
        (ref, outcome) -> {
          if (!outcome.valid()) {
            out.put(ref, outcome.reasons());
          }
        });
    return Map.copyOf(out);
  }

  private void enforce(PolicyRef ref, String source, Outcome outcome) {
    Outcome was = enforced.put(ref, outcome);
    if (!outcome.valid() && was != outcome) {
      reject(ref, source, outcome.reasons());
    }
  }

  private void reject(PolicyRef ref, String source, List<String> reasons) {
    metrics.compileError();
    LOG.errorf(
        "%s %s (%s) is not enforced: %s", ref.kind(), ref.id(), source, String.join("; ", reasons));
  }

  /** Published at once after the first load; while loading, once, when first read or loaded. */
  private void changed() {
    if (loaded) {
      publish();
    } else {
      stale = true;
    }
  }

  private synchronized void publish() {
    stale = false;
    current =
        PolicySet.of(
            enforced.values().stream().filter(Outcome::valid).map(Outcome::policy).toList());
  }

  /** A policy file has no generation: its version is its content. */
  private static String contentVersion(PolicySpec spec) {
    try {
      byte[] json = Serialization.asJson(spec).getBytes(StandardCharsets.UTF_8);
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
