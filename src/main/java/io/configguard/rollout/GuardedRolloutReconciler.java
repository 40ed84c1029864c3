package io.configguard.rollout;

import io.configguard.ConfigguardConfig;
import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.configguard.api.GuardedRolloutStatus;
import io.configguard.api.RolloutPhase;
import io.configguard.api.RolloutStrategy;
import io.configguard.policy.LabelSelector;
import io.configguard.rollout.BatchPlanner.StepSize;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reconciles GuardedRollouts as a state machine: it loads the state, lets the handler of the
 * current phase act (several in a row when one hands over right away), and patches the status when
 * it changed, conditionally on the version it read. Waiting is rescheduling, never sleeping; all
 * state lives in the status and in the pods' annotations, so a new operator resumes where the last
 * one stopped.
 *
 * <pre>
 *             new source hash                 Deny violation
 *   Pending ───────────────────▶ Validating ─────────────────────▶ Failed
 *                                  │    │ first revision                │
 *                                  │    └───────────────▶ Succeeded ◀─┐ │
 *                          staged  ▼                          │       │ │
 *               ┌──────────── Progressing ── last step baked ─┼───────┘ │
 *   foreign     │   claim gone  ▲    │ unhealthy > max        │         │
 *   claim       ▼               │    ▼                        │         │
 *            Conflict ──────────┘  RolledBack                 │         │
 *                                    │                        │         │
 *   Succeeded, RolledBack, Failed, Aborted ── new hash, not failed, circuit closed ─▶ Validating
 *
 *   holds, checked first:  freeze ─▶ Frozen    invalid spec ─▶ Failed    paused ─▶ Paused
 *                          (each returns to status.heldFrom when it clears)
 *   spec.abort ─▶ Aborted: a candidate in flight is rolled back; no new revision while set
 *   every pass first checks both tracks against the status and repairs them ({@link Tracks#verify})
 *   deletion (finalizer) ─▶ {@link Release}: pods back on stable, -candidate deleted, -stable kept
 *   (neither repairs nor deletion act while a freeze holds the namespace)
 * </pre>
 */
@Singleton
@ControllerConfiguration(
    name = GuardedRolloutReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(
            interval = Requeue.MAX_INTERVAL_MINUTES,
            timeUnit = TimeUnit.MINUTES))
public class GuardedRolloutReconciler
    implements Reconciler<GuardedRollout>, Cleaner<GuardedRollout> {
  public static final String NAME = "guardedrollout";
  static final String PODS = "pods";
  static final String CONFIG_MAPS = "configmaps";
  static final String FREEZES = "freezes";
  static final String SOURCES = "sources";

  /** Page size of the initial lists of ConfigMaps and pods (client-go's reflector pages by 500). */
  static final long LIST_PAGE = 500;

  private static final int MAX_HOPS = 8;

  private final RolloutServices services;
  private final Map<RolloutPhase, PhaseHandler> handlers = PhaseHandlers.all();
  private final SourceContents sourceContents = new SourceContents();
  private final PodNamespaces podNamespaces = new PodNamespaces();

  /**
   * For the application (CDI); see {@link RolloutWiring} for the beans it takes. {@code
   * configguard.operator.pod-moves.parallelism} (default 16, 1 to 256) bounds the pod patches in
   * flight (see {@link PodBatch}).
   */
  @Inject
  public GuardedRolloutReconciler(
      PolicySource policies, MeterRegistry registry, ConfigguardConfig config) {
    this(
        new RolloutServices(
            policies,
            new JdkHttpProbe(),
            new RolloutMetrics(registry),
            Clock.systemUTC(),
            new PodBatch(config.operator().podMoves().parallelism())));
  }

  /** The pod moves' threads go with the operator. */
  @PreDestroy
  void close() {
    services.moves().close();
  }

  GuardedRolloutReconciler(RolloutServices services) {
    this.services = services;
  }

  /**
   * What the operator caches, bounded by what it guards (see {@link CachedForms}): the pods of the
   * namespaces that hold a GuardedRollout, in a pruned form, by informers registered as rollouts
   * appear ({@link PodNamespaces}; the rollouts' selectors are arbitrary and change, and a claimed
   * pod must stay visible after it leaves its selector, so no label selector can pick them); the
   * derived ConfigMaps whole, selected by their {@code configguard.io/rollout} label; every other
   * ConfigMap as name and resourceVersion only, listed and watched metadata-only so that no content
   * crosses the wire ({@link ConfigMapVersions}), to learn that a source changed (its content is
   * then read from the API, see {@link SourceContents}); freezes whole. Initial lists are paged so
   * that a large cluster is never held in memory at once.
   */
  @Override
  public List<EventSource<?, GuardedRollout>> prepareEventSources(
      EventSourceContext<GuardedRollout> context) {
    IndexerResourceCache<GuardedRollout> rollouts = context.getPrimaryCache();
    services.metrics().countPhasesOf(() -> rollouts.list());
    sourceContents.retainWhile(
        id ->
            rollouts
                .list(id.getNamespace().orElse(null), r -> isSourceOf(r, id.getName()))
                .findAny()
                .isPresent());
    var configMaps =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, GuardedRollout.class)
                .withName(CONFIG_MAPS)
                .withLabelSelector(RolloutKeys.ROLLOUT)
                .withItemStore(CachedForms.store(CachedForms::lean))
                .withSecondaryToPrimaryMapper(map -> rolloutsOf(map, rollouts))
                .build(),
            context);
    var sources =
        new ConfigMapVersions(
            context.getClient(), SOURCES, id -> rolloutsSourcing(id, rollouts), LIST_PAGE);
    var freezes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigFreeze.class, GuardedRollout.class)
                .withName(FREEZES)
                .withWatchAllNamespaces()
                .withItemStore(CachedForms.store(CachedForms::lean))
                .withSecondaryToPrimaryMapper(
                    freeze ->
                        rollouts.list().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(),
            context);
    return List.of(configMaps, sources, freezes);
  }

  @Override
  public UpdateControl<GuardedRollout> reconcile(
      GuardedRollout rollout, Context<GuardedRollout> context) {
    GuardedRolloutStatus read = rollout.getStatus();
    KubernetesCluster cluster = new KubernetesCluster(context, sourceContents, podNamespaces);
    UpdateControl<GuardedRollout> control = reconcile(rollout, cluster);
    if (!control.isPatchStatus()) {
      cluster.fileEvents(false);
      return control;
    }
    patchStatusAsRead(rollout, read, context);
    cluster.fileEvents(true);
    UpdateControl<GuardedRollout> done = UpdateControl.noUpdate();
    control.getScheduleDelay().ifPresent(done::rescheduleAfter);
    return done;
  }

  /**
   * Patches the status conditionally on the resourceVersion this pass read, which the operator
   * SDK's own status patch leaves out. A pass that decided on a view that has gone stale (a replica
   * that lost its lease, a second operator, a reconcile stalled on a slow call) gets 409 instead of
   * writing its status over a newer one, and the SDK retries it from fresh state.
   */
  private static void patchStatusAsRead(
      GuardedRollout rollout, GuardedRolloutStatus read, Context<GuardedRollout> context) {
    GuardedRolloutStatus draft = rollout.getStatus();
    rollout.setStatus(read);
    context
        .resourceOperations()
        .jsonPatchPrimaryStatus(
            rollout,
            r -> {
              r.setStatus(draft);
              return r;
            });
  }

  /**
   * Deletion: the workload keeps its last good config (see {@link Release}). The finalizer stays
   * until every claimed pod is back on stable, {@code -candidate} is gone and {@code -stable} is
   * released.
   */
  @Override
  public DeleteControl cleanup(GuardedRollout rollout, Context<GuardedRollout> context) {
    KubernetesCluster cluster = new KubernetesCluster(context, sourceContents, podNamespaces);
    Optional<Duration> again = cleanup(rollout, cluster);
    cluster.fileEvents(false);
    return again.isEmpty()
        ? DeleteControl.defaultDelete()
        : DeleteControl.noFinalizerRemoval().rescheduleAfter(again.get());
  }

  /** One deletion pass against any {@link Cluster}; empty once the finalizer may go. */
  Optional<Duration> cleanup(GuardedRollout rollout, Cluster cluster) {
    RolloutState state = state(rollout, StatusWriter.copy(rollout.getStatus()), cluster);
    if (state.freeze().isPresent()) {
      // A freeze touches nothing, deletions included: the finalizer waits for it to lift.
      state.warning(
          "DeletionHeld",
          "deletion waits: ConfigFreeze "
              + state.freeze().get().getMetadata().getName()
              + " holds this namespace; pods and tracks are left as they are until it lifts");
      return Optional.of(Requeue.DELETION_HELD);
    }
    Tracks.verify(state);
    return Release.run(state);
  }

  private RolloutState state(GuardedRollout rollout, GuardedRolloutStatus draft, Cluster cluster) {
    List<String> errors = SpecCheck.errors(rollout.getSpec());
    RolloutStrategy strategy =
        errors.isEmpty() && rollout.getSpec().strategy != null
            ? rollout.getSpec().strategy
            : new RolloutStrategy();
    List<StepSize> steps = errors.isEmpty() ? BatchPlanner.parse(strategy.steps) : List.of();
    String namespace = rollout.getMetadata().getNamespace();
    Optional<ConfigFreeze> freeze =
        Freezes.matching(cluster.freezes(), () -> cluster.namespaceLabels(namespace));
    return new RolloutState(
        rollout, draft, cluster, services, services.clock().instant(), steps, freeze, errors);
  }

  /** One pass over a rollout against any {@link Cluster}. */
  UpdateControl<GuardedRollout> reconcile(GuardedRollout rollout, Cluster cluster) {
    GuardedRolloutStatus original = rollout.getStatus();
    GuardedRolloutStatus draft = StatusWriter.copy(original);
    RolloutState state = state(rollout, draft, cluster);
    Instant now = state.now();
    if (state.freeze().isEmpty()) {
      Tracks.verify(state); // a freeze touches no ConfigMap, repairs included
    }

    RolloutPhase phase = state.resolveHolds();
    Step step;
    int hops = 0;
    do {
      state.enterPhase(phase);
      step = handlers.get(phase).handle(state);
      phase = step.phase();
    } while (step.now() && ++hops < MAX_HOPS);
    state.enterPhase(phase);
    StatusWriter.finish(draft, state.generation(), now);

    rollout.setStatus(draft);
    UpdateControl<GuardedRollout> control =
        StatusWriter.same(original, draft)
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(rollout);
    if (step.now()) {
      return control.rescheduleAfter(0);
    }
    return step.requeue() == null ? control : control.rescheduleAfter(step.requeue());
  }

  /** A pod concerns the rollout that claims it and every rollout whose selector matches it. */
  static Set<ResourceID> rolloutsOf(Pod pod, IndexerResourceCache<GuardedRollout> rollouts) {
    String namespace = pod.getMetadata().getNamespace();
    Set<ResourceID> ids = new HashSet<>();
    Map<String, String> annotations = PodHealth.annotations(pod);
    if (annotations.containsKey(RolloutKeys.ROLLOUT)) {
      ids.add(new ResourceID(annotations.get(RolloutKeys.ROLLOUT), namespace));
    }
    rollouts
        .list(
            namespace,
            r ->
                r.getSpec() != null && selects(r.getSpec().selector, pod.getMetadata().getLabels()))
        .forEach(r -> ids.add(ResourceID.fromResource(r)));
    return ids;
  }

  private static boolean selects(io.configguard.api.Selector selector, Map<String, String> labels) {
    LabelSelector compiled = LabelSelector.of(selector);
    return !compiled.isEverything() && compiled.matches(labels);
  }

  /** A ConfigMap concerns the rollouts it is the source of (see {@link ConfigMapVersions}). */
  static Set<ResourceID> rolloutsSourcing(
      ResourceID map, IndexerResourceCache<GuardedRollout> rollouts) {
    return rollouts
        .list(map.getNamespace().orElse(null), r -> isSourceOf(r, map.getName()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  static boolean isSourceOf(GuardedRollout rollout, String configMap) {
    return rollout.getSpec() != null
        && rollout.getSpec().sourceRef != null
        && configMap.equals(rollout.getSpec().sourceRef.name);
  }

  /** A ConfigMap concerns the rollouts it is the source of, and the one that owns it. */
  static Set<ResourceID> rolloutsOf(ConfigMap map, IndexerResourceCache<GuardedRollout> rollouts) {
    String namespace = map.getMetadata().getNamespace();
    Set<ResourceID> ids = new HashSet<>();
    DerivedConfigMaps.rolloutOwners(map.getMetadata(), false)
        .forEach(ref -> ids.add(new ResourceID(ref.getName(), namespace)));
    rollouts
        .list(
            namespace,
            r ->
                r.getSpec() != null
                    && r.getSpec().sourceRef != null
                    && map.getMetadata().getName().equals(r.getSpec().sourceRef.name))
        .forEach(r -> ids.add(ResourceID.fromResource(r)));
    return ids;
  }
}
