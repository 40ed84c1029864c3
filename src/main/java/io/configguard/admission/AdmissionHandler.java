package io.configguard.admission;

import io.configguard.api.GuardedRollout;
import io.configguard.api.Selector;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.Target;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides one admission request by a chain of gates: the delivery tracks ({@link TrackGate}),
 * freezes ({@link FreezeGate}), configguard's own kinds ({@link OwnKindsGate}), the policies in
 * force ({@link PolicyGate}), then the response within its caps ({@link Responses}). No HTTP here,
 * so fixtures can drive it directly.
 */
public final class AdmissionHandler {
  /** Longest denial message: kubectl prints it whole, so keep it readable. */
  static final int MAX_MESSAGE = Responses.MAX_MESSAGE;

  /** Longest single warning; the API server may truncate longer ones anyway. */
  static final int MAX_WARNING = Responses.MAX_WARNING;

  /** Most warnings returned, the last one saying how many were left out. */
  static final int MAX_WARNINGS = Responses.MAX_WARNINGS;

  private final Function<String, Map<String, String>> namespaceLabels;
  private final AdmissionMetrics metrics;
  private final TrackGate tracks;
  private final FreezeGate freezes;
  private final OwnKindsGate ownKinds;
  private final PolicyGate policies;
  private volatile Function<String, List<GuardedRollout>> rolloutsIn = ns -> List.of();
  private volatile String operatorServiceAccount = "";
  private volatile PodCounter podCounter = (namespace, selector, atMost) -> -1;

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
    this.namespaceLabels = namespaceLabels;
    this.metrics = metrics;
    Function<String, List<GuardedRollout>> rollouts = ns -> rolloutsIn.apply(ns);
    this.tracks = new TrackGate(() -> operatorServiceAccount, rollouts);
    this.freezes = new FreezeGate(index::freezes);
    this.ownKinds = new OwnKindsGate(compiler, rollouts, () -> podCounter);
    this.policies = new PolicyGate(index::current, () -> operatorServiceAccount, clock, metrics);
  }

  /** Answers a request; an engine failure is counted as an error and rethrown (HTTP 500). */
  public AdmissionResponse handle(Review review) {
    long start = System.nanoTime();
    AdmissionMetrics.Result result = AdmissionMetrics.Result.ERROR;
    try {
      Responses.Decision decision = decide(review, true);
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

  private Responses.Decision decide(Review review, boolean counted) {
    if (!review.subResource().isEmpty() || review.operation().equals("CONNECT")) {
      // Status updates and connects carry no config to judge and no config write to freeze.
      return Responses.allow(review, List.of());
    }
    Passage track = tracks.check(review);
    if (track.denied()) {
      return Responses.deny(review, track.denial());
    }
    Target target = review.target(namespaceLabels.apply(review.namespace()));
    Passage freeze = freezes.check(review, target);
    if (freeze.denied()) {
      return Responses.deny(review, freeze.denial());
    }
    List<String> breakGlass = Passage.concat(track.notes(), freeze.notes());
    if (review.operation().equals("DELETE")) {
      // Policies judge content; a deletion carries none to judge.
      return Responses.allow(review, breakGlass);
    }
    Passage ownKind = ownKinds.check(review);
    if (ownKind.denied()) {
      return Responses.deny(review, ownKind.denial());
    }
    PolicyGate.Judgement judgement = policies.judge(review, target, counted);
    return Responses.shape(review, Passage.concat(breakGlass, ownKind.notes()), judgement);
  }

  /** Every line, in order, as long as they fit in {@link #MAX_MESSAGE}; then how many more. */
  static String message(List<String> lines) {
    return Responses.message(lines);
  }

  static List<String> warnings(List<String> lines) {
    return Responses.warnings(lines);
  }

  /**
   * The user the operator writes as ({@code system:serviceaccount:NS:NAME}); only that user's
   * writes of a rollout's own -stable/-candidate ConfigMaps are exempt from the source's policies.
   */
  public void operatorServiceAccount(String username) {
    this.operatorServiceAccount = username == null ? "" : username;
  }

  /**
   * Users and groups who may still write a GuardedRollout's delivery tracks (break-glass), admitted
   * with a warning and logged, as through a ConfigFreeze.
   */
  public void trackBreakGlass(List<String> users, List<String> groups) {
    tracks.breakGlass(users, groups);
  }

  /** The GuardedRollouts of a namespace: for the tracks and the selector overlap check. */
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
}
