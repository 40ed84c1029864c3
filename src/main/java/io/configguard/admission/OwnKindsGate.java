package io.configguard.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.PolicySpec;
import io.configguard.files.PolicyFiles;
import io.configguard.policy.Freeze;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.rollout.SpecCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Validates configguard's own kinds: a GuardedRollout, ConfigFreeze, ConfigPolicy or
 * ClusterConfigPolicy that would not work as written is denied with every reason; an admitted
 * GuardedRollout passes with advice (e.g. a tolerance that cannot trip). Other kinds pass.
 */
final class OwnKindsGate {
  // Logged under the handler's category, as before the chain was split into gates.
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

  private static final ObjectMapper STRICT =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private final PolicyCompiler compiler;
  private final Function<String, List<GuardedRollout>> rolloutsIn;
  private final Supplier<AdmissionHandler.PodCounter> podCounter;

  OwnKindsGate(
      PolicyCompiler compiler,
      Function<String, List<GuardedRollout>> rolloutsIn,
      Supplier<AdmissionHandler.PodCounter> podCounter) {
    this.compiler = compiler;
    this.rolloutsIn = rolloutsIn;
    this.podCounter = podCounter;
  }

  Passage check(Review review) {
    if (!review.kind().group().equals(ConfigPolicy.GROUP)) {
      return Passage.pass(List.of());
    }
    String kind = review.kind().kind();
    if (kind.equals(GuardedRollout.KIND)) {
      List<String> reasons = rolloutErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof("denied GuardedRollout %s: invalid spec", Passage.objectName(review));
        return Passage.deny("the GuardedRollout is invalid:\n" + String.join("\n", reasons));
      }
      return Passage.pass(rolloutWarnings(review));
    }
    if (kind.equals(ConfigFreeze.class.getSimpleName())) {
      List<String> reasons = freezeErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof("denied ConfigFreeze %s: invalid spec", Passage.objectName(review));
        return Passage.deny("the ConfigFreeze is invalid:\n" + String.join("\n", reasons));
      }
    }
    if (PolicyFiles.isPolicyKind(kind)) {
      List<String> reasons = policyErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof("denied %s %s: the policy does not compile", kind, Passage.objectName(review));
        return Passage.deny("the policy does not compile:\n" + String.join("\n", reasons));
      }
    }
    return Passage.pass(List.of());
  }

  private List<String> rolloutErrors(Review review) {
    GuardedRolloutSpec spec;
    try {
      spec = Passage.LENIENT.treeToValue(review.object().path("spec"), GuardedRolloutSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of("spec: " + e.getMessage().lines().findFirst().orElse("unreadable"));
    }
    return SpecCheck.errors(review.name(), spec, rolloutsIn.apply(review.namespace()));
  }

  /** Advice on an admitted GuardedRollout (kubectl warnings), e.g. a tolerance that cannot trip. */
  private List<String> rolloutWarnings(Review review) {
    GuardedRolloutSpec spec;
    try {
      spec = Passage.LENIENT.treeToValue(review.object().path("spec"), GuardedRolloutSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of();
    }
    Integer max = spec.strategy == null ? null : spec.strategy.maxUnhealthyPods;
    if (max == null || max < 1 || spec.selector == null) {
      return List.of();
    }
    int selected;
    try {
      selected = podCounter.get().count(review.namespace(), spec.selector, max + 1);
    } catch (RuntimeException e) {
      LOG.debugf(
          "could not count the pods of GuardedRollout %s: %s", Passage.objectName(review), e);
      return List.of();
    }
    return SpecCheck.warnings(spec, selected);
  }

  /** A freeze is checked like a policy: what would not be enforced as written is refused. */
  private static List<String> freezeErrors(Review review) {
    ConfigFreezeSpec spec;
    try {
      spec = STRICT.treeToValue(review.object().path("spec"), ConfigFreezeSpec.class);
    } catch (JsonProcessingException e) {
      return List.of("spec: " + e.getOriginalMessage().lines().findFirst().orElse("unreadable"));
    } catch (IllegalArgumentException e) {
      return List.of("spec: unreadable");
    }
    return Freeze.problems(review.name(), spec);
  }

  /** A policy object is untrusted input too: it is admitted only if it compiles. */
  private List<String> policyErrors(Review review) {
    List<String> errors = new ArrayList<>();
    PolicySpec spec = PolicyFiles.spec(review.object().path("spec"), errors);
    if (spec == null) {
      return errors;
    }
    PolicyRef ref =
        review.kind().kind().equals(ClusterConfigPolicy.class.getSimpleName())
            ? PolicyRef.cluster(review.name())
            : PolicyRef.namespaced(review.namespace(), review.name());
    try {
      compiler.compile(ref, spec);
      return List.of();
    } catch (InvalidPolicyException e) {
      return e.reasons();
    }
  }
}
