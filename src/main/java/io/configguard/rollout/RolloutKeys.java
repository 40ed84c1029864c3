package io.configguard.rollout;

/** Annotation and key names of the consuming-pod contract. */
public final class RolloutKeys {
  /** The revision a pod should serve; absent means "whatever stable holds". */
  public static final String REVISION = "configguard.io/revision";

  /**
   * The GuardedRollout (same namespace) that has moved this pod; others leave it alone. Set as an
   * annotation (the claim) and, where the name fits, as a label of the same name.
   */
  public static final String ROLLOUT = "configguard.io/rollout";

  /** Sum of container restart counts when the pod was moved: the health gate's baseline. */
  public static final String RESTARTS_AT_MOVE = "configguard.io/restarts-at-move";

  /** Whether the pod was Ready when moved; a pod that was not is not blamed for staying so. */
  public static final String READY_AT_MOVE = "configguard.io/ready-at-move";

  /**
   * When the pod was moved to the candidate (RFC 3339): its own bake runs from here, so a pod moved
   * later in a step does not restart the others' bake.
   */
  public static final String MOVED_AT = "configguard.io/moved-at";

  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private RolloutKeys() {}

  /**
   * Whether a rollout's name can also be the value of the {@link #ROLLOUT} label on the pods it
   * claims (63 characters at most), so claimed pods can be watched by label; the annotation is the
   * claim either way.
   */
  public static boolean fitsLabel(String rollout) {
    return rollout != null && rollout.length() <= 63 && LABEL_VALUE.matcher(rollout).matches();
  }
}
