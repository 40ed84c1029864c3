package io.configguard.policy;

import io.configguard.api.PolicyException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A policy's compiled {@code spec.exceptions}: which objects are exempt, why, and until when. Pure:
 * the caller passes the time, so the webhook, the CLI and the audit agree and tests need no clock.
 */
final class Exceptions {
  static final Exceptions NONE = new Exceptions(List.of());

  /** One exception: namespace and name globs (empty = all), a reason and an expiry. */
  private record Compiled(
      int index, List<Glob> namespaces, List<Glob> names, String reason, Instant expires) {
    boolean covers(Target target) {
      return any(namespaces, target.namespace()) && any(names, target.name());
    }

    private static boolean any(List<Glob> globs, String text) {
      return globs.isEmpty() || globs.stream().anyMatch(g -> g.matches(text == null ? "" : text));
    }
  }

  private final List<Compiled> exceptions;

  private Exceptions(List<Compiled> exceptions) {
    this.exceptions = List.copyOf(exceptions);
  }

  /** Compiles the exceptions, adding a reason naming the field for each problem. */
  static Exceptions compile(List<PolicyException> specs, List<String> reasons) {
    if (specs == null || specs.isEmpty()) {
      return NONE;
    }
    List<Compiled> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      String at = "spec.exceptions[" + i + "]";
      PolicyException e = specs.get(i);
      if (e == null) {
        reasons.add(at + ": empty exception");
        continue;
      }
      int before = reasons.size();
      List<Glob> namespaces = globs(e.namespaces, at + ".namespaces", reasons);
      List<Glob> names = globs(e.names, at + ".names", reasons);
      if (e.reason == null || e.reason.isBlank()) {
        reasons.add(at + ".reason: required (say why the exception exists)");
      }
      Instant expires = null;
      if (e.expires == null || e.expires.isBlank()) {
        reasons.add(at + ".expires: required (an RFC 3339 time, e.g. 2026-12-31T00:00:00Z)");
      } else {
        expires = parse(e.expires);
        if (expires == null) {
          reasons.add(
              at
                  + ".expires: \""
                  + e.expires
                  + "\" is not an RFC 3339 time (e.g. 2026-12-31T00:00:00Z)");
        }
      }
      if (reasons.size() == before) {
        out.add(new Compiled(i, namespaces, names, e.reason.strip(), expires));
      }
    }
    return new Exceptions(out);
  }

  private static final java.util.regex.Pattern RFC_3339 =
      java.util.regex.Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

  /** The time an RFC 3339 string names, or null if it names none. */
  static Instant parse(String rfc3339) {
    // RFC 3339 has four-digit years: "+999999999-12-31T23:59:59Z" is no time, and it would be
    // an exception that never expires.
    if (!RFC_3339.matcher(rfc3339.strip()).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(rfc3339.strip()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The first unexpired exception covering the target, if any. */
  Optional<Exemption> exempting(String policy, Target target, Instant now) {
    for (Compiled e : exceptions) {
      if (now.isBefore(e.expires()) && e.covers(target)) {
        return Optional.of(new Exemption(policy, e.index(), e.reason(), e.expires()));
      }
    }
    return Optional.empty();
  }

  private static List<Glob> globs(List<String> patterns, String at, List<String> reasons) {
    List<Glob> out = new ArrayList<>();
    if (patterns == null) {
      return out;
    }
    for (int i = 0; i < patterns.size(); i++) {
      String problem = Glob.problem(patterns.get(i), "a name", Glob.CharClass.OBJECT_NAME);
      if (problem != null) {
        reasons.add(at + "[" + i + "]: " + problem);
      } else {
        out.add(Glob.of(patterns.get(i)));
      }
    }
    return out;
  }
}
