package io.configguard.rollout;

import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicySet;
import io.configguard.policy.Target;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The two ConfigMaps a GuardedRollout owns, {@code <name>-stable} and {@code <name>-candidate}, and
 * the rule that lets the webhook tell the operator's own writes of them from anyone else's.
 */
public final class DerivedConfigMaps {
  /** The key holding the revision number in both ConfigMaps. */
  public static final String REVISION_KEY = "configguard-revision";

  /** Content hash of the revision a derived ConfigMap holds. */
  public static final String HASH_ANNOTATION = "configguard.io/content-hash";

  /** Name of the source ConfigMap the content was taken from (and pre-flighted as). */
  public static final String SOURCE_ANNOTATION = "configguard.io/source";

  /** Label: which track (stable or candidate). */
  public static final String TRACK_LABEL = "configguard.io/track";

  /**
   * Label on a -stable ConfigMap kept after its GuardedRollout was deleted ({@code "true"}): pods
   * still mount it; a GuardedRollout of the same name adopts it again.
   */
  public static final String RELEASED_LABEL = "configguard.io/released";

  /** On a released -stable: the highest revision number the deleted rollout gave out. */
  public static final String LATEST_REVISION_ANNOTATION = "configguard.io/latest-revision";

  /**
   * On a released -stable: the failed revisions, as JSON [{revision, hash}], never shipped again.
   */
  public static final String FAILED_ANNOTATION = "configguard.io/failed-revisions";

  /** The garbage collector's user, which deletes what a deleted owner leaves behind. */
  public static final String GARBAGE_COLLECTOR =
      "system:serviceaccount:kube-system:generic-garbage-collector";

  private static final String API_VERSION = ConfigPolicy.GROUP + "/" + ConfigPolicy.VERSION;

  private DerivedConfigMaps() {}

  /** The two tracks of the two-track delivery. */
  public enum Track {
    STABLE("stable"),
    CANDIDATE("candidate");

    public final String suffix;

    Track(String suffix) {
      this.suffix = suffix;
    }

    public String nameFor(String rollout) {
      return rollout + "-" + suffix;
    }
  }

  /** The desired ConfigMap for a track: the content plus the revision key, owned by the rollout. */
  public static ConfigMap build(
      GuardedRollout owner, Track track, long revision, String hash, ConfigContent content) {
    Map<String, String> data = new TreeMap<>(content.data());
    data.put(REVISION_KEY, Long.toString(revision));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(track.nameFor(owner.getMetadata().getName()))
        .withNamespace(owner.getMetadata().getNamespace())
        .addToLabels(RolloutKeys.ROLLOUT, owner.getMetadata().getName())
        .addToLabels(TRACK_LABEL, track.suffix)
        .addToAnnotations(HASH_ANNOTATION, hash)
        .addToAnnotations(SOURCE_ANNOTATION, owner.getSpec().sourceRef.name)
        .withOwnerReferences(ownerReference(owner))
        .endMetadata()
        .withData(data)
        .withBinaryData(content.binaryData().isEmpty() ? null : content.binaryData())
        .build();
  }

  /**
   * Whether the track holds exactly {@code revision} with content that hashes to {@code hash}: its
   * bytes, not its hash annotation, which anyone who edits the bytes can edit too.
   */
  public static boolean holds(Optional<ConfigMap> map, long revision, String hash) {
    return map.isPresent()
        && revisionOf(map.get()).orElse(-1) == revision
        && ConfigContent.ofDerived(map.get()).hash().equals(hash);
  }

  /** Whether the ConfigMap's controller is this GuardedRollout (by uid when it has one). */
  public static boolean ownedBy(ConfigMap map, GuardedRollout rollout) {
    String uid = rollout.getMetadata().getUid();
    return rolloutOwners(map.getMetadata(), true)
        .anyMatch(
            r ->
                rollout.getMetadata().getName().equals(r.getName())
                    && (uid == null || uid.equals(r.getUid())));
  }

  /** The controller owner reference a derived ConfigMap carries to its GuardedRollout. */
  public static OwnerReference ownerReference(GuardedRollout owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(GuardedRollout.KIND)
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .build();
  }

  /**
   * The owner references of an object that name a GuardedRollout; with {@code controllerOnly}, only
   * the controller reference. The one owner-reference check of the rollout code.
   */
  public static Stream<OwnerReference> rolloutOwners(ObjectMeta object, boolean controllerOnly) {
    List<OwnerReference> refs = object == null ? null : object.getOwnerReferences();
    return refs == null
        ? Stream.empty()
        : refs.stream()
            .filter(r -> GuardedRollout.KIND.equals(r.getKind()))
            .filter(r -> !controllerOnly || Boolean.TRUE.equals(r.getController()));
  }

  /** Whether the ConfigMap is a -stable a deleted GuardedRollout of this name left behind. */
  public static boolean releasedFor(ConfigMap map, String rollout) {
    Map<String, String> labels = map.getMetadata().getLabels();
    return labels != null
        && "true".equals(labels.get(RELEASED_LABEL))
        && rollout.equals(labels.get(RolloutKeys.ROLLOUT))
        && map.getMetadata().getName().equals(Track.STABLE.nameFor(rollout))
        && (map.getMetadata().getOwnerReferences() == null
            || map.getMetadata().getOwnerReferences().isEmpty());
  }

  /** The revision number a derived ConfigMap holds, if it holds a valid one. */
  public static OptionalLong revisionOf(ConfigMap map) {
    if (map == null || map.getData() == null) {
      return OptionalLong.empty();
    }
    try {
      String value = map.getData().get(REVISION_KEY);
      return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  public static Optional<String> hashOf(ConfigMap map) {
    return map == null || map.getMetadata().getAnnotations() == null
        ? Optional.empty()
        : Optional.ofNullable(map.getMetadata().getAnnotations().get(HASH_ANNOTATION));
  }

  /**
   * The GuardedRollout whose delivery track an admission request writes, if any: a ConfigMap named
   * {@code <rollout>-stable} or {@code <rollout>-candidate} that carries the rollout's label or
   * controller owner reference (before or after the write), or, for a CREATE, whose rollout exists.
   * Only the operator, the garbage collector and break-glass users may write those. The one write
   * left to everyone is deleting a released {@code -stable} (its rollout is gone), the cleanup
   * docs/rollout.md describes.
   *
   * @param object the object as written (CREATE, UPDATE); null for DELETE
   * @param old the object before the write (UPDATE, DELETE); null for CREATE
   * @param rolloutExists whether a GuardedRollout of that name exists in the request's namespace
   */
  public static Optional<String> trackWritten(
      String operation, ObjectMeta object, ObjectMeta old, Predicate<String> rolloutExists) {
    if ("DELETE".equals(operation)
        && old != null
        && old.getName() != null
        && old.getName().endsWith("-" + Track.STABLE.suffix)) {
      ConfigMap before = new ConfigMapBuilder().withMetadata(old).build();
      String rollout = trackOwnerName(old.getName());
      if (releasedFor(before, rollout)) {
        return Optional.empty();
      }
    }
    for (ObjectMeta meta : new ObjectMeta[] {old, object}) {
      if (meta == null || meta.getName() == null) {
        continue;
      }
      String rollout = trackOwnerName(meta.getName());
      if (rollout == null) {
        continue;
      }
      boolean labelled =
          meta.getLabels() != null && rollout.equals(meta.getLabels().get(RolloutKeys.ROLLOUT));
      boolean owned = rolloutOwners(meta, false).anyMatch(r -> rollout.equals(r.getName()));
      if (labelled || owned || ("CREATE".equals(operation) && rolloutExists.test(rollout))) {
        return Optional.of(rollout);
      }
    }
    return Optional.empty();
  }

  /** {@code x} for {@code x-stable} or {@code x-candidate}; null otherwise. */
  private static String trackOwnerName(String name) {
    for (Track track : Track.values()) {
      String suffix = "-" + track.suffix;
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return null;
  }

  /**
   * Whether an admission request is the operator writing one of the ConfigMaps it derives from a
   * GuardedRollout's source, and if so the source's name. All of these must hold:
   *
   * <ul>
   *   <li>the request's {@code userInfo.username} is exactly the operator's service account ({@code
   *       system:serviceaccount:<namespace>:<name>}); nobody else can claim the exemption, whatever
   *       they put in the object;
   *   <li>the object has a controller owner reference to a GuardedRollout ({@code configguard.io})
   *       and its name is that owner's name plus {@code -stable} or {@code -candidate};
   *   <li>the object names its source in the {@code configguard.io/source} annotation.
   * </ul>
   *
   * The webhook then skips only the policies that match the source (its content passed them in
   * pre-flight) and still evaluates every other policy that matches the derived name.
   *
   * @param username the request's userInfo.username
   * @param operatorServiceAccount the operator's user name; blank disables the exemption
   * @param object metadata of the object being written
   */
  public static Optional<String> operatorWriteSource(
      String username, String operatorServiceAccount, ObjectMeta object) {
    if (operatorServiceAccount == null
        || operatorServiceAccount.isBlank()
        || !operatorServiceAccount.equals(username)
        || object == null
        || object.getName() == null
        || object.getOwnerReferences() == null) {
      return Optional.empty();
    }
    boolean owned =
        rolloutOwners(object, true)
            .anyMatch(
                ref ->
                    ref.getApiVersion() != null
                        && ref.getApiVersion().startsWith(ConfigPolicy.GROUP + "/")
                        && ref.getName() != null
                        && (object.getName().equals(Track.STABLE.nameFor(ref.getName()))
                            || object.getName().equals(Track.CANDIDATE.nameFor(ref.getName()))));
    String source =
        object.getAnnotations() == null ? null : object.getAnnotations().get(SOURCE_ANNOTATION);
    return owned && source != null && !source.isBlank() ? Optional.of(source) : Optional.empty();
  }

  /**
   * For a request {@link #operatorWriteSource} exempts: the policies the webhook still evaluates,
   * i.e. those matching the derived ConfigMap but not its source (which pre-flight already applied
   * to this content).
   */
  public static List<Policy> policiesBeyondSource(
      PolicySet policies, Target derived, String sourceName) {
    Target asSource =
        new Target(
            derived.kind(),
            derived.namespace(),
            sourceName,
            derived.operation(),
            derived.object(),
            derived.oldObject(),
            derived.request(),
            derived.namespaceLabels());
    return policies.matching(derived).stream().filter(p -> !p.matches(asSource)).toList();
  }
}
