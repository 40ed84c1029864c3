package io.configguard.policy;

/**
 * The deadline of the evaluation running on this thread, for work deep inside libraries (a regex
 * match, a schema validation, a CEL function) that cannot be handed it: they read the value through
 * {@link #watch}, or call {@link #check}.
 */
final class Deadline {
  private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();

  private Deadline() {}

  /** Sets the deadline (System.nanoTime based) until the returned scope is closed. */
  static Scope enter(long deadline) {
    long[] previous = CURRENT.get();
    CURRENT.set(new long[] {deadline});
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Restores the previous deadline. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Throws {@link BudgetExceeded} once the deadline of this thread's evaluation has passed. */
  static void check() {
    long[] d = CURRENT.get();
    if (d != null && System.nanoTime() - d[0] > 0) {
      throw new BudgetExceeded();
    }
  }

  /** The value as seen by a matcher: every {@link Regexes#CHECK_EVERY} reads check the deadline. */
  static CharSequence watch(CharSequence value) {
    long[] d = CURRENT.get();
    if (d == null || value.length() < Regexes.CHECK_EVERY) {
      return value;
    }
    return new Watched(value, d[0]);
  }

  private static final class Watched implements CharSequence {
    private final CharSequence value;
    private final long deadline;
    private int reads;

    Watched(CharSequence value, long deadline) {
      this.value = value;
      this.deadline = deadline;
    }

    @Override
    public int length() {
      return value.length();
    }

    @Override
    public char charAt(int index) {
      if (++reads >= Regexes.CHECK_EVERY) {
        reads = 0;
        if (System.nanoTime() - deadline > 0) {
          throw new BudgetExceeded();
        }
      }
      return value.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Watched(value.subSequence(start, end), deadline);
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }
}
