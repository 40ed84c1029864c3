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
    Counter.builder("configguard.policy.violations")
        .description("Violations found at admission, by policy, rule and enforcement")
        .tag("policy", violation.policy())
        .tag("rule", violation.rule())
        .tag("enforcement", violation.enforcement().name())
        .register(registry)
        .increment();
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
