package io.configguard.policy;

import java.time.Duration;

/**
 * The bounds every evaluation runs under.
 *
 * @param maxDepth deepest JSON/YAML nesting accepted in a parsed value
 * @param maxYamlAliases most YAML aliases accepted in one document
 * @param maxDocumentBytes largest value parsed by a format
 * @param celCostLimit CEL runtime cost limit per evaluation: 100,000 steps take about 50 ms on one
 *     core, well inside the time budget, so a runaway expression is stopped by its cost, named as
 *     such, long before the budget
 * @param timeBudget wall-clock budget for evaluating one target against all its policies
 */
public record Limits(
    int maxDepth,
    int maxYamlAliases,
    long maxDocumentBytes,
    long celCostLimit,
    Duration timeBudget) {
  public static final Limits DEFAULT =
      new Limits(64, 50, 3L * 1024 * 1024, 100_000, Duration.ofMillis(500));
}
