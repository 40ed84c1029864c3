package io.configguard.policy;

import java.math.BigDecimal;
import java.util.Locale;

/** What maxGrowth and maxShrink compare: the count at a path, or the byte size, old vs new. */
final class ChangeRatio {
  private ChangeRatio() {}

  /** {old, new} measures, or null when there is nothing to compare (no old, parse failure). */
  static long[] measure(Subject subject, JsonPath path) {
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
  static String what(Subject subject, JsonPath path) {
    if (path != null) {
      return path.under(subject.base());
    }
    if (subject.key() != null) {
      return "value";
    }
    return subject.base() == Location.ROOT ? "object" : subject.base().toString();
  }

  static String unit(JsonPath path) {
    return path == null ? "bytes" : "items";
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }

  static String limit(double r) {
    return BigDecimal.valueOf(r).stripTrailingZeros().toPlainString();
  }
}
