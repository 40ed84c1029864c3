package io.configguard.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.ConfigFreezeSpec;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.Enforcement;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutSpec;
import io.configguard.api.PolicySpec;
import io.configguard.api.Selector;
import io.configguard.policy.Exemption;
import io.configguard.policy.Freeze;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.configguard.policy.Verdict;
import io.configguard.policy.Violation;
import io.configguard.rollout.DerivedConfigMaps;
import io.configguard.rollout.SpecCheck;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Decides one admission request: evaluates the object against the policies in force and turns the
 * verdict into an AdmissionResponse. No HTTP here, so fixtures can drive it directly.
 */
public final class AdmissionHandler {
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

  /** Longest denial message: kubectl prints it whole, so keep it readable. */
  static final int MAX_MESSAGE = 4096;

  /** Longest single warning; the API server may truncate longer ones anyway. */
  static final int MAX_WARNING = 256;

  /** Most warnings returned, the last one saying how many were left out. */
  static final int MAX_WARNINGS = 16;

  private final PolicyIndex index;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final PolicyCompiler compiler;
  private final AdmissionMetrics metrics;
  private final Clock clock;
  private volatile Function<String, List<GuardedRollout>> rolloutsIn = ns -> List.of();
  private volatile String operatorServiceAccount = "";
  private volatile PodCounter podCounter = (namespace, selector, atMost) -> -1;
  private volatile Set<String> trackBreakGlassUsers = Set.of();
  private volatile Set<String> trackBreakGlassGroups = Set.of();
  private static final ObjectMapper ROLLOUT_SPEC =
      new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              false);

  public AdmissionHandler(
      PolicyIndex index,
      Function<String, Map<String, String>> namespaceLabels,
      PolicyCompiler compiler,
      AdmissionMetrics metrics) {
    this(index, namespaceLabels, compiler, metrics, Clock.systemUTC());
  }

  /** With the clock that decides which policy exceptions have expired. */
  public AdmissionHandler(
      PolicyIndex index,
      Function<String, Map<String, String>> namespaceLabels,
      PolicyCompiler compiler,
      AdmissionMetrics metrics,
      Clock clock) {
    this.clock = clock;
    this.index = index;
    this.namespaceLabels = namespaceLabels;
    this.compiler = compiler;
    this.metrics = metrics;
  }

  /** Answers a request; an engine failure is counted as an error and rethrown (HTTP 500). */
  public AdmissionResponse handle(Review review) {
    long start = System.nanoTime();
    AdmissionMetrics.Result result = AdmissionMetrics.Result.ERROR;
    try {
      Decision decision = decide(review, true);
      result = decision.result();
      return decision.response();
    } finally {
      metrics.request(result, System.nanoTime() - start);
    }
  }

  /**
   * Answers a request the way {@link #handle} does, without counting it in the metrics: the
   * start-up rehearsal of the admission path ({@link AdmissionWarmup}).
   */
  AdmissionResponse rehearse(Review review) {
    return decide(review, false).response();
  }

  /** A response and how it is counted. */
  private record Decision(AdmissionMetrics.Result result, AdmissionResponse response) {}

  private Decision decide(Review review, boolean counted) {
    if (!review.subResource().isEmpty() || review.operation().equals("CONNECT")) {
      // Status updates and connects carry no config to judge and no config write to freeze.
      return allow(review, AdmissionMetrics.Result.ALLOWED, List.of());
    }
    List<String> breakGlass = new ArrayList<>();
    Optional<Decision> track = guardTracks(review, breakGlass);
    if (track.isPresent()) {
      return track.get();
    }
    Target target = Verdicts.target(review, namespaceLabels.apply(review.namespace()));
    for (Freeze freeze : index.freezes()) {
      if (!freeze.freezes(target)) {
        continue;
      }
      String user = review.request().path("userInfo").path("username").asText("");
      if (!freeze.breaksGlass(review.request().path("userInfo"))) {
        LOG.infof(
            "denied %s %s %s: frozen by ConfigFreeze %s",
            review.operation(), review.kind().kind(), objectName(review), freeze.name());
        return deny(
            review,
            "ConfigFreeze "
                + freeze.name()
                + " denies "
                + review.operation()
                + " of "
                + review.kind().kind()
                + " "
                + objectName(review)
                + ": "
                + freeze.reason(),
            List.of());
      }
      LOG.warnf(
          "break-glass: %s by %s of %s %s admitted through ConfigFreeze %s (%s)",
          review.operation(),
          user,
          review.kind().kind(),
          objectName(review),
          freeze.name(),
          freeze.reason());
      breakGlass.add(
          "break-glass: ConfigFreeze "
              + freeze.name()
              + " is in force ("
              + freeze.reason()
              + "); this write by "
              + user
              + " is admitted and logged");
    }
    if (review.operation().equals("DELETE")) {
      // Policies judge content; a deletion carries none to judge.
      return allow(
          review,
          breakGlass.isEmpty() ? AdmissionMetrics.Result.ALLOWED : AdmissionMetrics.Result.WARNED,
          warnings(breakGlass));
    }
    if (isRollout(review)) {
      List<String> reasons = rolloutErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof("denied GuardedRollout %s: invalid spec", objectName(review));
        return deny(
            review, "the GuardedRollout is invalid:\n" + String.join("\n", reasons), List.of());
      }
    }
    if (isFreeze(review)) {
      List<String> reasons = freezeErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof("denied ConfigFreeze %s: invalid spec", objectName(review));
        return deny(
            review, "the ConfigFreeze is invalid:\n" + String.join("\n", reasons), List.of());
      }
    }
    if (isPolicy(review)) {
      List<String> reasons = policyErrors(review);
      if (!reasons.isEmpty()) {
        LOG.infof(
            "denied %s %s: the policy does not compile", review.kind().kind(), objectName(review));
        return deny(
            review, "the policy does not compile:\n" + String.join("\n", reasons), List.of());
      }
    }
    List<String> advice = isRollout(review) ? rolloutWarnings(review) : List.of();
    Verdict verdict =
        Verdicts.evaluate(policiesFor(review, target, index.current()), target, clock.instant());
    List<String> notes =
        Stream.of(
                breakGlass.stream(),
                advice.stream(),
                verdict.exemptions().stream().map(Exemption::line))
            .flatMap(s -> s)
            .toList();
    if (verdict.violations().isEmpty()) {
      return allow(
          review,
          notes.isEmpty() ? AdmissionMetrics.Result.ALLOWED : AdmissionMetrics.Result.WARNED,
          warnings(notes));
    }
    if (counted) {
      verdict.violations().forEach(metrics::violation);
      verdict.overruns().forEach(metrics::overrun);
    }
    List<Violation> denials = verdict.with(Enforcement.Deny);
    List<String> warnings =
        warnings(
            Stream.concat(notes.stream(), Verdicts.lines(verdict.with(Enforcement.Warn)).stream())
                .toList());
    List<Violation> audits = verdict.with(Enforcement.Audit);
    audits.forEach(
        v -> LOG.infof("audit %s %s: %s", review.kind().kind(), objectName(review), v.line()));
    if (!denials.isEmpty()) {
      LOG.infof(
          "denied %s %s%s: %s",
          review.kind().kind(),
          objectName(review),
          review.dryRun() ? " (dry run)" : "",
          String.join(", ", policyRules(denials)));
      return deny(review, message(Verdicts.lines(denials)), warnings);
    }
    return allow(
        review,
        warnings.isEmpty() ? AdmissionMetrics.Result.AUDITED : AdmissionMetrics.Result.WARNED,
        warnings);
  }

  private static Decision allow(
      Review review, AdmissionMetrics.Result result, List<String> warnings) {
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder().withUid(review.uid()).withAllowed(true);
    if (!warnings.isEmpty()) {
      response.withWarnings(warnings);
    }
    return new Decision(result, response.build());
  }

  private static Decision deny(Review review, String message, List<String> warnings) {
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder()
            .withUid(review.uid())
            .withAllowed(false)
            .withStatus(new StatusBuilder().withCode(403).withMessage(message).build());
    if (!warnings.isEmpty()) {
      response.withWarnings(warnings);
    }
    return new Decision(AdmissionMetrics.Result.DENIED, response.build());
  }

  /** Every line, in order, as long as they fit in {@link #MAX_MESSAGE}; then how many more. */
  static String message(List<String> lines) {
    StringBuilder message = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String separator = i == 0 ? "" : "\n";
      String line = truncate(lines.get(i), MAX_MESSAGE / 4);
      int after = lines.size() - i - 1;
      int reserve = after == 0 ? 0 : ("\n... and " + after + " more").length();
      if (message.length() + separator.length() + line.length() + reserve > MAX_MESSAGE) {
        message.append(separator).append("... and ").append(lines.size() - i).append(" more");
        break;
      }
      message.append(separator).append(line);
    }
    return message.toString();
  }

  static List<String> warnings(List<String> lines) {
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (i == MAX_WARNINGS - 1 && lines.size() > MAX_WARNINGS) {
        warnings.add("... and " + (lines.size() - i) + " more");
        break;
      }
      warnings.add(truncate(lines.get(i), MAX_WARNING));
    }
    return warnings;
  }

  private static String truncate(String line, int max) {
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }

  private static Set<String> policyRules(List<Violation> violations) {
    Set<String> pairs = new LinkedHashSet<>();
    violations.forEach(v -> pairs.add("policy=" + v.policy() + " rule=" + v.rule()));
    return pairs;
  }

  private static String objectName(Review review) {
    return review.namespace().isEmpty() ? review.name() : review.namespace() + "/" + review.name();
  }

  private static boolean isRollout(Review review) {
    return review.kind().group().equals(ConfigPolicy.GROUP)
        && review.kind().kind().equals(GuardedRollout.KIND);
  }

  /** The other GuardedRollouts of a namespace, for the selector overlap check. */
  /**
   * The user the operator writes as ({@code system:serviceaccount:NS:NAME}); only that user's
   * writes of a rollout's own -stable/-candidate ConfigMaps are exempt from the source's policies.
   */
  public void operatorServiceAccount(String username) {
    this.operatorServiceAccount = username == null ? "" : username;
  }

  /**
   * The operator's own write of a derived ConfigMap carries content that already passed every
   * policy of its source in pre-flight: those policies are not applied again (a growth rule would
   * otherwise compare a new candidate with an older failed one); all others still are.
   */
  private PolicySet policiesFor(Review review, Target target, PolicySet all) {
    if (operatorServiceAccount.isEmpty()
        || !target.kind().isConfigMap()
        || target.object() == null) {
      return all;
    }
    String username = review.request().path("userInfo").path("username").asText("");
    ObjectMeta meta;
    try {
      meta = ROLLOUT_SPEC.treeToValue(target.object().path("metadata"), ObjectMeta.class);
    } catch (IOException | IllegalArgumentException e) {
      return all;
    }
    return DerivedConfigMaps.operatorWriteSource(username, operatorServiceAccount, meta)
        .map(source -> PolicySet.of(DerivedConfigMaps.policiesBeyondSource(all, target, source)))
        .orElse(all);
  }

  /**
   * Users and groups who may still write a GuardedRollout's delivery tracks (break-glass), admitted
   * with a warning and logged, as through a ConfigFreeze.
   */
  public void trackBreakGlass(List<String> users, List<String> groups) {
    this.trackBreakGlassUsers = users == null ? Set.of() : Set.copyOf(users);
    this.trackBreakGlassGroups = groups == null ? Set.of() : Set.copyOf(groups);
  }

  /**
   * The delivery tracks ({@code <rollout>-stable}, {@code -candidate}) are the operator's alone:
   * anyone else's CREATE, UPDATE or DELETE of one is denied, except the garbage collector's and
   * break-glass users' (noted in {@code notes}). Off while the operator's identity is not
   * configured, since the operator's own writes could then not be told apart.
   */
  private Optional<Decision> guardTracks(Review review, List<String> notes) {
    if (operatorServiceAccount.isEmpty()
        || !review.kind().isConfigMap()
        || review.operation().equals("CONNECT")) {
      return Optional.empty();
    }
    Optional<String> rollout =
        DerivedConfigMaps.trackWritten(
            review.operation(),
            meta(review.object()),
            meta(review.oldObject()),
            name ->
                rolloutsIn.apply(review.namespace()).stream()
                    .anyMatch(r -> name.equals(r.getMetadata().getName())));
    if (rollout.isEmpty()) {
      return Optional.empty();
    }
    JsonNode userInfo = review.request().path("userInfo");
    String user = userInfo.path("username").asText("");
    if (user.equals(operatorServiceAccount) || user.equals(DerivedConfigMaps.GARBAGE_COLLECTOR)) {
      return Optional.empty();
    }
    boolean glass = trackBreakGlassUsers.contains(user);
    for (JsonNode group : userInfo.path("groups")) {
      glass |= trackBreakGlassGroups.contains(group.asText());
    }
    if (glass) {
      LOG.warnf(
          "break-glass: %s by %s of ConfigMap %s, a delivery track of GuardedRollout %s",
          review.operation(), user, objectName(review), rollout.get());
      notes.add(
          "break-glass: ConfigMap "
              + review.name()
              + " is a delivery track of GuardedRollout "
              + rollout.get()
              + "; this "
              + review.operation()
              + " by "
              + user
              + " is admitted and logged, and the operator restores what it staged");
      return Optional.empty();
    }
    LOG.infof(
        "denied %s of ConfigMap %s by %s: a delivery track of GuardedRollout %s",
        review.operation(), objectName(review), user, rollout.get());
    return Optional.of(
        deny(
            review,
            "ConfigMap "
                + review.name()
                + " is a delivery track of GuardedRollout "
                + rollout.get()
                + ": only configguard's operator writes it (pods load exactly the revision it"
                + " holds). Change the source ConfigMap instead; to remove the rollout, delete the"
                + " GuardedRollout.",
            List.of()));
  }

  private static ObjectMeta meta(JsonNode object) {
    if (object == null || !object.isObject()) {
      return null;
    }
    try {
      return ROLLOUT_SPEC.treeToValue(object.path("metadata"), ObjectMeta.class);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  public void rollouts(Function<String, List<GuardedRollout>> rolloutsIn) {
    this.rolloutsIn = rolloutsIn;
  }

  /**
   * Counts the pods of a namespace a selector matches, up to {@code atMost} (a LIST with that
   * limit, so the webhook never holds more); a negative answer means unknown.
   */
  @FunctionalInterface
  public interface PodCounter {
    int count(String namespace, Selector selector, int atMost);
  }

  /** Where the advice on a GuardedRollout's maxUnhealthyPods gets the selected pod count. */
  public void podCounter(PodCounter podCounter) {
    this.podCounter = podCounter;
  }

  /** Advice on an admitted GuardedRollout (kubectl warnings), e.g. a tolerance that cannot trip. */
  private List<String> rolloutWarnings(Review review) {
    GuardedRolloutSpec spec;
    try {
      spec = ROLLOUT_SPEC.treeToValue(review.object().path("spec"), GuardedRolloutSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of();
    }
    Integer max = spec.strategy == null ? null : spec.strategy.maxUnhealthyPods;
    if (max == null || max < 1 || spec.selector == null) {
      return List.of();
    }
    int selected;
    try {
      selected = podCounter.count(review.namespace(), spec.selector, max + 1);
    } catch (RuntimeException e) {
      LOG.debugf("could not count the pods of GuardedRollout %s: %s", objectName(review), e);
      return List.of();
    }
    return SpecCheck.warnings(spec, selected);
  }

  private List<String> rolloutErrors(Review review) {
    GuardedRolloutSpec spec;
    try {
      spec = ROLLOUT_SPEC.treeToValue(review.object().path("spec"), GuardedRolloutSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of("spec: " + e.getMessage().lines().findFirst().orElse("unreadable"));
    }
    return SpecCheck.errors(review.name(), spec, rolloutsIn.apply(review.namespace()));
  }

  private static boolean isFreeze(Review review) {
    return review.kind().group().equals(ConfigPolicy.GROUP)
        && review.kind().kind().equals(ConfigFreeze.class.getSimpleName());
  }

  /** A freeze is checked like a policy: what would not be enforced as written is refused. */
  private static List<String> freezeErrors(Review review) {
    ConfigFreezeSpec spec;
    try {
      spec = FREEZE_SPEC.treeToValue(review.object().path("spec"), ConfigFreezeSpec.class);
    } catch (JsonProcessingException e) {
      return List.of("spec: " + e.getOriginalMessage().lines().findFirst().orElse("unreadable"));
    } catch (IllegalArgumentException e) {
      return List.of("spec: unreadable");
    }
    return Freeze.problems(review.name(), spec);
  }

  private static final ObjectMapper FREEZE_SPEC =
      new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              true);

  private static boolean isPolicy(Review review) {
    return review.kind().group().equals(ConfigPolicy.GROUP)
        && PolicyFiles.isPolicyKind(review.kind().kind());
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
