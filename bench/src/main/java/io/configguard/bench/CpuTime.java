package io.configguard.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * The same three measurements as {@link EvaluateBenchmark}, in thread CPU time and interleaved
 * round by round, for machines too busy for wall-clock figures (other builds sharing the cores):
 * {@code java -cp bench/target/benchmarks.jar io.configguard.bench.CpuTime}.
 */
public final class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuTime() {}

  public static void main(String[] args) throws Exception {
    EvaluateBenchmark bench = new EvaluateBenchmark();
    bench.setUp();
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int ops = 500;
    double[][] micros = new double[3][rounds];
    for (int warm = 0; warm < 10; warm++) {
      round(bench, ops, new double[3][1], 0);
    }
    for (int r = 0; r < rounds; r++) {
      round(bench, ops, micros, r);
    }
    String[] names = {"bareParse", "evaluate", "evaluateItemSchema"};
    double[] median = new double[3];
    for (int i = 0; i < 3; i++) {
      double[] sorted = micros[i].clone();
      Arrays.sort(sorted);
      median[i] = sorted[rounds / 2];
      System.out.printf(
          Locale.ROOT,
          "%-20s median %7.1f us/op CPU (min %.1f, max %.1f)%n",
          names[i],
          median[i],
          sorted[0],
          sorted[rounds - 1]);
    }
    System.out.printf(
        Locale.ROOT,
        "ratio evaluate / bareParse %.2f, evaluateItemSchema / bareParse %.2f%n",
        median[1] / median[0],
        median[2] / median[0]);
  }

  private static void round(EvaluateBenchmark bench, int ops, double[][] out, int r)
      throws Exception {
    long t0 = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      bench.bareParse();
    }
    long t1 = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      bench.evaluate();
    }
    long t2 = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      bench.evaluateItemSchema();
    }
    long t3 = THREADS.getCurrentThreadCpuTime();
    out[0][r] = (t1 - t0) / 1e3 / ops;
    out[1][r] = (t2 - t1) / 1e3 / ops;
    out[2][r] = (t3 - t2) / 1e3 / ops;
  }
}
