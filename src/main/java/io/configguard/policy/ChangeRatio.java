package io.configguard.policy;

import io.configguard.policy.path.JsonPath;
import io.configguard.policy.path.Location;
import java.math.BigDecimal;
import java.util.Locale;

/** What maxGrowth and maxShrink compare: the count at a path, or the byte size, old vs new. */
final class ChangeRatio {
  private ChangeRatio() {}

  /**
   * Finds a change past the bound: growth when {@code growing} (new > old x limit), shrinkage
   * otherwise (new < old x limit). Nothing to compare, or an old count of 0, passes.
   */
  static void compare(
      Subject subject, JsonPath path, double limit, boolean growing, Findings findings) {
    long[] m = measure(subject, path);
    if (m == null || m[0] == 0) {
      return;
    }
    double actual = (double) m[1] / m[0];
    if (growing ? actual > limit : actual < limit) {
      findings.add(
          subject.location(),
          what(subject, path)
              + (growing ? " grew from " : " shrank from ")
              + m[0]
              + " to "
              + m[1]
              + " "
              + unit(path)
              + " (ratio "
              + ratio(actual)
              + (growing ? " > " : " < ")
              + limit(limit)
              + ")"
              + (subject.gone()
                  ? (subject.key() != null ? "; the key was removed" : "; removed")
                  : ""));
    }
  }

  /** {old, new} measures, or null when there is nothing to compare (no old, parse failure). */
  private static long[] measure(Subject subject, JsonPath path) {
    Subject before = subject.previous();
    if (before == null) {
      return null;
    }
    if (path == null) {
      return new long[] {before.bytes(), subject.bytes()};
    }
    long now = subject.count(path);
    long then = now < 0 ? -1 : before.count(path);
    return now < 0 || then < 0 ? null : new long[] {then, now};
  }

  /** "$.features" with a path, "value" for a key's bytes, the node path or "object" otherwise. */
  private static String what(Subject subject, JsonPath path) {
    if (path != null) {
      return path.under(subject.base());
    }
    if (subject.key() != null) {
      return "value";
    }
    return subject.base() == Location.ROOT ? "object" : subject.base().toString();
  }

  private static String unit(JsonPath path) {
    return path == null ? "bytes" : "items";
  }

  private static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }

  private static String limit(double r) {
    return BigDecimal.valueOf(r).stripTrailingZeros().toPlainString();
  }
}
