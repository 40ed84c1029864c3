package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.files.PolicyFiles;
import io.configguard.policy.CompiledPolicies;
import io.configguard.policy.Limits;
import io.configguard.policy.PolicyCompiler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy compilation at scale (not part of the test suite; see bench/README.md): the policy set of
 * {@code bench/load/run.sh thousand} (its 5 policies plus generated ones: 80 % team ConfigPolicies
 * in their own namespaces, 10 % name patterns, 10 % other kinds) at 1,000 and 10,000 policies.
 * Reports, per size and run: reading the files (the floor), compiling serially, compiling in
 * parallel ({@link CompiledPolicies#compileAll}), loading the index one policy at a time as the
 * informers do (snapshot once at load, as now, and once per policy, as before), one changed policy
 * (compilations counted), and the heap retained per compiled policy after GC.
 *
 * <p>Run: {@code mvn -o -B -q test -Dtest=PolicyCompilationBenchmark -Dbench
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbench.sizes=1000,10000}, {@code
 * -Dbench.runs=3}).
 */
@EnabledIfSystemProperty(named = "bench", matches = ".*")
class PolicyCompilationBenchmark {
  static final int RUNS = Integer.getInteger("bench.runs", 3);

  @TempDir Path dir;

  @Test
  void compileThousandsOfPolicies() throws Exception {
    List<Integer> sizes =
        Stream.of(System.getProperty("bench.sizes", "1000,10000").split(","))
            .map(String::trim)
            .map(Integer::valueOf)
            .toList();
    PolicyCompiler compiler = new PolicyCompiler(Limits.DEFAULT);
    for (int size : sizes) {
      Path folder = Files.createDirectories(dir.resolve("p" + size));
      write(folder, size);
      for (int run = 1; run <= RUNS; run++) {
        long t0 = System.nanoTime();
        List<PolicyFiles.Definition> definitions = PolicyFiles.read(List.of(folder), "default");
        long read = System.nanoTime() - t0;
        assertThat(definitions).hasSize(size).allMatch(d -> d.errors().isEmpty());
        List<CompiledPolicies.Request> requests =
            definitions.stream()
                .map(d -> new CompiledPolicies.Request(d.ref(), "v1", d.spec()))
                .toList();

        CompiledPolicies serial = new CompiledPolicies(compiler);
        t0 = System.nanoTime();
        for (CompiledPolicies.Request r : requests) {
          serial.compile(r.ref(), r.version(), r.spec());
        }
        long serialNanos = System.nanoTime() - t0;

        CompiledPolicies parallel = new CompiledPolicies(compiler);
        t0 = System.nanoTime();
        assertThat(parallel.compileAll(requests)).allMatch(CompiledPolicies.Outcome::valid);
        long parallelNanos = System.nanoTime() - t0;

        // As the informers feed it: one put per policy, then loaded (now) ...
        PolicyIndex now = index(compiler);
        t0 = System.nanoTime();
        for (CompiledPolicies.Request r : requests) {
          now.put(r.ref(), r.version(), r.ref().id(), r.spec());
        }
        now.markLoaded();
        assertThat(now.current().size()).isEqualTo(size);
        long loadNow = System.nanoTime() - t0;
        // ... and with a snapshot per put, as the index published before.
        PolicyIndex before = index(compiler);
        before.markLoaded();
        t0 = System.nanoTime();
        for (CompiledPolicies.Request r : requests) {
          before.put(r.ref(), r.version(), r.ref().id(), r.spec());
        }
        assertThat(before.current().size()).isEqualTo(size);
        long loadBefore = System.nanoTime() - t0;

        // One policy changes: one compilation, one snapshot.
        long compilations = now.compiled().compilations();
        CompiledPolicies.Request one = requests.get(requests.size() / 2);
        t0 = System.nanoTime();
        now.put(one.ref(), "v2", one.ref().id(), one.spec());
        long change = System.nanoTime() - t0;
        assertThat(now.compiled().compilations()).isEqualTo(compilations + 1);

        System.out.printf(
            "RESULT policies=%d run=%d read_ms=%.0f serial_ms=%.0f parallel_ms=%.0f"
                + " serial_us_per_policy=%.0f load_index_ms=%.0f load_index_snapshot_per_put_ms=%.0f"
                + " one_change_ms=%.2f ratio_serial_to_read=%.2f%n",
            size,
            run,
            read / 1e6,
            serialNanos / 1e6,
            parallelNanos / 1e6,
            serialNanos / 1e3 / size,
            loadNow / 1e6,
            loadBefore / 1e6,
            change / 1e6,
            (double) serialNanos / read);
      }
      retained(compiler, folder, size);
    }
  }

  /** Heap retained by the compiled form of {@code size} policies, measured after GC. */
  private static void retained(PolicyCompiler compiler, Path folder, int size) throws Exception {
    List<PolicyFiles.Definition> definitions = PolicyFiles.read(List.of(folder), "default");
    List<CompiledPolicies.Request> requests = new ArrayList<>();
    for (PolicyFiles.Definition d : definitions) {
      requests.add(new CompiledPolicies.Request(d.ref(), "v1", d.spec()));
    }
    long baseline = usedAfterGc();
    CompiledPolicies compiled = new CompiledPolicies(compiler);
    List<CompiledPolicies.Outcome> outcomes = compiled.compileAll(requests);
    long held = usedAfterGc();
    System.out.printf(
        "RESULT policies=%d retained_kib_per_policy=%.1f retained_mib_total=%.1f%n",
        size, (held - baseline) / 1024.0 / size, (held - baseline) / 1024.0 / 1024.0);
    assertThat(outcomes).hasSize(size); // keeps them reachable until measured
    assertThat(compiled.compilations()).isEqualTo(size);
  }

  private static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static PolicyIndex index(PolicyCompiler compiler) {
    return new PolicyIndex(
        new CompiledPolicies(compiler), new AdmissionMetrics(new SimpleMeterRegistry()));
  }

  /** The five policies of bench/load plus generated ones, as bench/load/run.sh writes them. */
  static void write(Path folder, int size) throws Exception {
    try (Stream<Path> five = Files.list(Path.of("bench/load/policies"))) {
      for (Path p : five.toList()) {
        Files.copy(p, folder.resolve(p.getFileName()));
      }
    }
    StringBuilder out = new StringBuilder();
    int others = size - 5;
    for (int i = 1; i <= others; i++) {
      String match;
      String kind;
      String ns;
      if (i <= others * 8 / 10) {
        match = "resources: [{apiGroups: [\"\"], kinds: [ConfigMap]}]";
        kind = "ConfigPolicy";
        ns = "  namespace: team-" + i + "\n";
      } else if (i <= others * 9 / 10) {
        match = "names: [\"svc-" + i + "-*\"]";
        kind = "ClusterConfigPolicy";
        ns = "";
      } else {
        match = "resources: [{apiGroups: [example.com], kinds: [EdgeRoute" + i + "]}]";
        kind = "ClusterConfigPolicy";
        ns = "";
      }
      out.append(
          """
          ---
          apiVersion: configguard.io/v1alpha1
          kind: %s
          metadata:
            name: other-%d
          %sspec:
            enforcement: Deny
            match:
              %s
            rules:
              - name: size
                maxTotalBytes: 65536
              - name: features
                key: features.json
                format: json
                maxItems: {path: "$.features", max: 200}
                unique: {path: "$.features[*].name"}
              - name: cel
                cel: "object.metadata.name.size() < 64"
          """
              .formatted(kind, i, ns, match));
    }
    Files.writeString(folder.resolve("others.yaml"), out.toString());
  }
}
