package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Speed claims in tests, relative to this machine's speed measured in the same run: a hostile input
 * may cost at most a stated factor times a bare JSON parse of a benign body of the same size (at
 * least {@link #FLOOR_BYTES}, so tiny inputs are compared with a measurable amount of work), the
 * parse repeated over as much wall time as the measurement took. A loaded CI machine slows both
 * sides alike; an exponential blow-up or a hang still fails. The absolute figures are benchmarks:
 * bench/README.md.
 */
public final class Timing {
  /** The smallest baseline body: 64 KiB of benign JSON parse in about a millisecond or less. */
  public static final int FLOOR_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Timing() {}

  /** Fails a measurement that hangs; it only catches hangs, it is no speed claim. */
  public static final Duration HANG_GUARD = Duration.ofSeconds(60);

  /**
   * The best of {@code runs} timed calls after {@code warmups} untimed ones, each after a GC; all
   * of them within {@link #HANG_GUARD}.
   */
  public static <T> Timed<T> bestOf(int warmups, int runs, Supplier<T> call) {
    return assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          for (int i = 0; i < warmups; i++) {
            call.get();
          }
          long best = Long.MAX_VALUE;
          T result = null;
          for (int i = 0; i < runs; i++) {
            System.gc();
            long start = System.nanoTime();
            result = call.get();
            best = Math.min(best, System.nanoTime() - start);
          }
          return new Timed<>(result, best);
        });
  }

  /** A result and the nanoseconds it took. */
  public record Timed<T>(T result, long nanos) {
    public double millis() {
      return nanos / 1e6;
    }
  }

  /**
   * A benign JSON document of about {@code bytes} bytes, shaped like configuration: an array of
   * small objects with a name, a number and a flag.
   */
  public static byte[] benignJson(int bytes) {
    StringBuilder out = new StringBuilder(bytes + 64).append("{\"items\": [");
    for (int i = 0; out.length() < bytes; i++) {
      out.append(i == 0 ? "" : ", ")
          .append("{\"name\": \"item-")
          .append(i)
          .append("\", \"weight\": ")
          .append(i % 997)
          .append(", \"enabled\": ")
          .append(i % 2 == 0)
          .append('}');
    }
    return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The time of one bare Jackson parse of a benign body of max(bytes, FLOOR_BYTES): parses are
   * repeated for at least {@code span} nanoseconds (the duration of what it is compared with, at
   * least 5 ms) and averaged, the best of three such blocks. A measurement as long as the one it is
   * compared with shares the CPU with other processes the same way: a 0.3 ms parse would run within
   * one scheduler slice while a 50 ms evaluation on a loaded machine waits for several.
   */
  public static Timed<Integer> baseline(int bytes, long span) {
    byte[] body = benignJson(Math.max(bytes, FLOOR_BYTES));
    long atLeast = Math.max(span, 5_000_000L);
    int size = 0;
    for (int i = 0; i < 5; i++) {
      size = parse(body);
    }
    long best = Long.MAX_VALUE;
    for (int block = 0; block < 3; block++) {
      System.gc();
      long start = System.nanoTime();
      long elapsed;
      int parses = 0;
      do {
        size = parse(body);
        parses++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < atLeast);
      best = Math.min(best, elapsed / parses);
    }
    return new Timed<>(size, best);
  }

  private static int parse(byte[] body) {
    try {
      return JSON.readTree(body).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts {@code measured} took at most {@code factor} times a bare parse of a benign body of
   * {@code bytes} bytes measured now; returns the ratio.
   */
  public static double assertWithin(String what, Timed<?> measured, int bytes, double factor) {
    Timed<Integer> base = baseline(bytes, measured.nanos());
    double ratio = (double) measured.nanos() / Math.max(1, base.nanos());
    System.out.printf(
        "timing %s: %.2f ms, %.1fx a bare parse of %d benign bytes (%.3f ms)%n",
        what, measured.millis(), ratio, Math.max(bytes, FLOOR_BYTES), base.millis());
    assertThat(ratio)
        .as(
            "%s took %.2f ms, %.1f times a bare JSON parse of %d benign bytes (%.3f ms) in this run;"
                + " allowed %.0f times",
            what, measured.millis(), ratio, Math.max(bytes, FLOOR_BYTES), base.millis(), factor)
        .isLessThanOrEqualTo(factor);
    return ratio;
  }
}
