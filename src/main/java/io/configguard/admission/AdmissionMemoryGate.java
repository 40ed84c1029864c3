package io.configguard.admission;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the heap admission requests can take at once. A request reserves its body size times the
 * worst-case amplification of what the engine builds from it, before its body is read; a request
 * that does not fit waits (at most {@code maxWait}) until earlier ones release their share, and is
 * then refused rather than allocated. Requests are admitted as room allows, not strictly in order,
 * so small requests pass a large one waiting for room.
 *
 * <p>The amplification is measured (bench/README.md): the strict JSON and YAML parsers retain 28
 * bytes of heap per character for {@code [{},{},...]} (29.4 MB for 1 MiB), the worst of the shapes
 * tried; with the body itself, its JSON tree and parse buffers a request is charged {@link
 * #AMPLIFICATION} bytes per body byte. A parsed value is never longer than the body that carries it
 * (escapes and base64 only shrink), so the charge holds for any number of values.
 */
public final class AdmissionMemoryGate {
  /** Heap bytes charged per body byte: 28 retained by the worst parse, 8 for body and tree. */
  public static final int AMPLIFICATION = 36;

  /** Smallest charge: a request without a body still builds a review and a response. */
  static final long MIN_BYTES = 4 * 1024;

  private final long budget;
  private final Duration maxWait;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private long inUse;
  private long peak;

  /** Thrown (as the cause of a failed acquisition) when no room was found in time. */
  public static final class BusyException extends RuntimeException {
    BusyException(String message) {
      super(message, null, false, false);
    }
  }

  /** A share of the budget, released once (closing twice is harmless). */
  public final class Permit implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Permit(long bytes) {
      this.bytes = bytes;
    }

    public long bytes() {
      return bytes;
    }

    @Override
    public void close() {
      synchronized (AdmissionMemoryGate.this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      release(bytes);
    }
  }

  private record Waiter(long bytes, CompletableFuture<Permit> future) {}

  /**
   * @param budget heap bytes admission may take at once
   * @param maxWait how long a request may wait for room: keep it well inside the webhook's
   *     timeoutSeconds (5 s in the chart), so the refusal reaches the API server in time
   */
  public AdmissionMemoryGate(long budget, Duration maxWait) {
    if (budget <= 0) {
      throw new IllegalArgumentException("budget must be > 0, got " + budget);
    }
    this.budget = budget;
    this.maxWait = maxWait;
  }

  /** Half the maximum heap: the rest is the application, its informers and policies. */
  public static long defaultBudget() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  /** What a request of {@code bodyBytes} is charged (a body of unknown size: pass the limit). */
  public long charge(long bodyBytes) {
    long bytes = Math.max(MIN_BYTES, bodyBytes);
    // A request larger than the whole budget runs alone rather than never.
    return bytes > budget / AMPLIFICATION ? budget : bytes * AMPLIFICATION;
  }

  /**
   * A permit for a request of {@code bodyBytes}: at once if there is room, else once earlier
   * requests release enough; fails with {@link BusyException} after {@code maxWait}.
   */
  public CompletableFuture<Permit> acquire(long bodyBytes) {
    long bytes = charge(bodyBytes);
    CompletableFuture<Permit> future = new CompletableFuture<>();
    Waiter waiter = new Waiter(bytes, future);
    synchronized (this) {
      if (inUse + bytes <= budget) {
        take(bytes);
        future.complete(new Permit(bytes));
        return future;
      }
      waiting.add(waiter);
    }
    CompletableFuture.delayedExecutor(maxWait.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              boolean removed;
              synchronized (this) {
                removed = waiting.remove(waiter);
              }
              if (removed) {
                future.completeExceptionally(
                    new BusyException(
                        "admission memory budget in use: no room for a request of "
                            + bodyBytes
                            + " bytes within "
                            + maxWait.toMillis()
                            + " ms"));
              }
            });
    return future;
  }

  private void take(long bytes) {
    inUse += bytes;
    peak = Math.max(peak, inUse);
  }

  private void release(long bytes) {
    java.util.List<Waiter> admitted = new java.util.ArrayList<>();
    synchronized (this) {
      inUse -= bytes;
      for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (inUse + w.bytes() <= budget) {
          it.remove();
          take(w.bytes());
          admitted.add(w);
        }
      }
    }
    for (Waiter w : admitted) {
      w.future().complete(new Permit(w.bytes()));
    }
  }

  public synchronized long inUse() {
    return inUse;
  }

  /** The most ever in use at once. */
  public synchronized long peak() {
    return peak;
  }

  public long budget() {
    return budget;
  }

  public Duration maxWait() {
    return maxWait;
  }
}
