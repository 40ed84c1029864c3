package io.configguard.admission;

import io.configguard.policy.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The webhook's Prometheus metrics: requests by result, latency, violations, policy errors. */
public final class AdmissionMetrics {
  /** How one admission request ended, most severe first. */
  public enum Result {
    DENIED,
    WARNED,
    AUDITED,
    ALLOWED,
    ERROR;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Map<Result, Counter> requests = new EnumMap<>(Result.class);
  private final Timer latency;
  private final Counter compileErrors;
  private final Counter busy;

  public AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Result result : Result.values()) {
      requests.put(
          result,
          Counter.builder("configguard.admission.requests")
              .description("Admission requests answered, by result")
              .tag("result", result.tag())
              .register(registry));
    }
    latency =
        Timer.builder("configguard.admission.duration")
            .description("Time to answer an admission request")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    compileErrors =
        Counter.builder("configguard.policy.compile.errors")
            .description("Policies rejected because they do not compile")
            .register(registry);
    busy =
        Counter.builder("configguard.admission.busy")
            .description(
                "Requests refused with 429 because the admission memory budget had no room in time")
            .register(registry);
  }

  /** Registers the gauges of the admission memory gate. */
  public void gate(AdmissionMemoryGate gate) {
    Gauge.builder("configguard.admission.inflight.bytes", gate, AdmissionMemoryGate::inUse)
        .description("Heap bytes reserved by admission requests in flight (body x amplification)")
        .register(registry);
    Gauge.builder("configguard.admission.inflight.budget.bytes", gate, g -> g.budget())
        .description("Heap bytes admission requests may reserve at once")
        .register(registry);
  }

  /** A request refused because the memory budget had no room within the wait. */
  public void busy() {
    busy.increment();
    requests.get(Result.ERROR).increment();
  }

  public double busyCount() {
    return busy.count();
  }

  public void request(Result result, long nanos) {
    requests.get(result).increment();
    latency.record(Duration.ofNanos(nanos));
  }

  /** A request refused (400, 503) before any evaluation: counted, kept out of the latency. */
  public void badRequest() {
    requests.get(Result.ERROR).increment();
  }

  public void violation(Violation violation) {
    Counter.builder("configguard.admission.violations")
        .description("Violations found at admission, by policy, rule and enforcement")
        .tag("policy", violation.policy())
        .tag("rule", violation.rule())
        .tag("enforcement", violation.enforcement().name())
        .register(registry)
        .increment();
  }

  /**
   * A rule stopped at a bound at run time (time budget, CEL cost, schema errors): it failed closed
   * without judging the content.
   */
  public void overrun(Violation violation) {
    Counter.builder("configguard.admission.overruns")
        .description("Rule evaluations stopped at a time, cost or size bound, by policy and rule")
        .tag("policy", violation.policy())
        .tag("rule", violation.rule())
        .register(registry)
        .increment();
  }

  /** Overruns counted for one policy and rule. */
  public double overruns(String policy, String rule) {
    Counter c =
        registry
            .find("configguard.admission.overruns")
            .tag("policy", policy)
            .tag("rule", rule)
            .counter();
    return c == null ? 0 : c.count();
  }

  public void compileError() {
    compileErrors.increment();
  }

  /** Registers the gauge of policies currently enforced. */
  public void policies(Supplier<Number> count) {
    Gauge.builder("configguard.policies", count, c -> c.get().doubleValue())
        .description("Policies currently enforced")
        .strongReference(true)
        .register(registry);
  }

  public double requests(Result result) {
    return requests.get(result).count();
  }

  public double compileErrors() {
    return compileErrors.count();
  }
}
