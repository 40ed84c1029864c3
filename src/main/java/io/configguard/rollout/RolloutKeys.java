package io.configguard.rollout;

/** Annotation and key names of the consuming-pod contract. */
public final class RolloutKeys {
  /** The revision a pod should serve; absent means "whatever stable holds". */
  public static final String REVISION = "configguard.io/revision";

  /** The GuardedRollout (same namespace) that has moved this pod; others leave it alone. */
  public static final String ROLLOUT = "configguard.io/rollout";

  /** Sum of container restart counts when the pod was moved: the health gate's baseline. */
  public static final String RESTARTS_AT_MOVE = "configguard.io/restarts-at-move";

  /** Whether the pod was Ready when moved; a pod that was not is not blamed for staying so. */
  public static final String READY_AT_MOVE = "configguard.io/ready-at-move";

  private RolloutKeys() {}
}
