package io.configguard.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Moves a batch of pods with a bounded number of patches in flight. Each pod's move is {@link
 * PodMover}'s: one patch conditional on the pod's resourceVersion and, after a failed precondition,
 * a fresh read of that pod alone, so a batch writes exactly what the same moves one after another
 * would. The first pod is sent alone, so that a denial (an admission policy refusing every move)
 * still costs one patch per attempt. The reconcile that calls {@link #move} keeps the books on its
 * own thread: it sends the next pod (in the order given) only while fewer than the wanted number
 * are moved or in flight, so a refused pod's place goes to the next pod and no more pods move than
 * wanted; it sends no more once a move is denied (the next pods would meet the same denial), once
 * one fails (an API error, or the write fence: the pass's view went stale, as after a lost lease, a
 * pause or an abort) or once {@code halted} says so (a freeze came); and it waits for the moves in
 * flight, so every result is counted and one pod's error loses no other pod's move.
 *
 * <p>The threads are the operator's: one pool of {@code parallelism} daemon threads for every
 * rollout (so it also bounds the patches in flight across rollouts), which end when idle and are
 * shut down with the operator ({@link #close}). Nothing sleeps: the reconcile waits for the next
 * move to complete.
 */
final class PodBatch implements AutoCloseable {
  /** {@code configguard.operator.pod-moves.parallelism}: patches in flight at most. */
  public static final String PARALLELISM = "configguard.operator.pod-moves.parallelism";

  public static final int DEFAULT_PARALLELISM = 16;
  static final int MAX_PARALLELISM = 256;

  private final int parallelism;
  private final ThreadPoolExecutor executor;

  public PodBatch(int parallelism) {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          PARALLELISM + " must be between 1 and " + MAX_PARALLELISM + ", not " + parallelism);
    }
    this.parallelism = parallelism;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            parallelism,
            parallelism,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, "configguard-pod-moves-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
  }

  public int parallelism() {
    return parallelism;
  }

  /**
   * How a batch ended.
   *
   * @param moved the pods moved, as the API server answered
   * @param refused why each refused move was refused (the pod changed or went)
   * @param denied the first denial, or null
   * @param failure the first move that threw (later ones suppressed in it), or null
   */
  public record Outcome(
      List<Pod> moved,
      List<String> refused,
      PodMover.Result.Denied denied,
      RuntimeException failure) {
    /** Ends the pass as an unmoved pod's error would have ended it: after counting the others. */
    public void rethrowFailure() {
      if (failure != null) {
        throw failure;
      }
    }
  }

  /**
   * Moves pods of {@code pods}, in that order, until {@code wanted} are moved.
   *
   * @param stopAtDenial send no more pods once one move is denied
   * @param halted asked before each pod is sent; true sends no more (a freeze)
   * @param move one pod's move
   */
  public Outcome move(
      List<Pod> pods,
      int wanted,
      boolean stopAtDenial,
      BooleanSupplier halted,
      Function<Pod, PodMover.Result> move) {
    CompletionService<Done> done = new ExecutorCompletionService<>(executor);
    Iterator<Pod> next = pods.iterator();
    List<Pod> moved = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    PodMover.Result.Denied denied = null;
    RuntimeException failure = null;
    boolean stop = false;
    boolean interrupted = false;
    int inFlight = 0;
    // The first pod goes alone: a denial then costs one patch, as it did one pod at a time.
    int limit = 1;
    while (true) {
      while (!stop && inFlight < limit && moved.size() + inFlight < wanted && next.hasNext()) {
        if (halted.getAsBoolean()) {
          stop = true;
          break;
        }
        Pod pod = next.next();
        try {
          done.submit(() -> attempt(pod, move));
          inFlight++;
        } catch (RejectedExecutionException e) {
          failure = first(failure, e); // the operator is shutting down
          stop = true;
        }
      }
      if (inFlight == 0) {
        break;
      }
      Done d;
      try {
        d = done.take().get();
      } catch (InterruptedException e) {
        interrupted = true; // send no more, but count the moves in flight
        stop = true;
        continue;
      } catch (ExecutionException e) {
        throw new IllegalStateException("a pod move escaped its own handling", e);
      }
      inFlight--;
      limit = parallelism;
      if (d.failure() != null) {
        failure = first(failure, d.failure());
        stop = true;
      } else if (d.result() instanceof PodMover.Result.Moved m) {
        moved.add(m.pod());
      } else if (d.result() instanceof PodMover.Result.Refused r) {
        refused.add(r.why());
      } else if (d.result() instanceof PodMover.Result.Denied den) {
        denied = denied == null ? den : denied;
        stop |= stopAtDenial;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new Outcome(moved, refused, denied, failure);
  }

  private static RuntimeException first(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private record Done(PodMover.Result result, RuntimeException failure) {}

  private static Done attempt(Pod pod, Function<Pod, PodMover.Result> move) {
    try {
      return new Done(move.apply(pod), null);
    } catch (RuntimeException e) {
      return new Done(null, e);
    }
  }

  /** Sends no new move; the ones in flight finish. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
