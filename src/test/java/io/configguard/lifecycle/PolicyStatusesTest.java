package io.configguard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.AuditStatus;
import io.configguard.api.PolicyException;
import io.configguard.api.PolicyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyStatusesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  static Condition condition(PolicyStatus s, String type) {
    return s.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  static String summary(PolicyStatus s, String type) {
    Condition c = condition(s, type);
    return c.getStatus() + "/" + c.getReason();
  }

  @Test
  void aCompiledPolicyIsReadyAndNeitherReconcilingNorStalled() {
    PolicyStatus s = PolicyStatuses.next(null, 3, List.of(), List.of(), null, T0);
    assertThat(s.observedGeneration).isEqualTo(3);
    assertThat(summary(s, "Ready")).isEqualTo("True/Compiled");
    assertThat(summary(s, "Reconciling")).isEqualTo("False/Compiled");
    assertThat(summary(s, "Stalled")).isEqualTo("False/Compiled");
    assertThat(s.conditions)
        .allSatisfy(
            c -> {
              assertThat(c.getObservedGeneration()).isEqualTo(3);
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
            });
  }

  @Test
  void aPolicyThatDoesNotCompileIsNotReadyAndStalledWithEveryReason() {
    List<String> reasons =
        List.of("spec.rules[0].cel: undeclared reference to 'foo'", "spec.rules[1].maxKeys: -1");
    PolicyStatus s = PolicyStatuses.next(null, 1, reasons, List.of(), null, T0);
    assertThat(summary(s, "Ready")).isEqualTo("False/InvalidPolicy");
    assertThat(summary(s, "Stalled")).isEqualTo("True/InvalidPolicy");
    assertThat(summary(s, "Reconciling")).isEqualTo("False/InvalidPolicy");
    assertThat(condition(s, "Ready").getMessage())
        .isEqualTo("spec.rules[0].cel: undeclared reference to 'foo'; spec.rules[1].maxKeys: -1");
    assertThat(condition(s, "Stalled").getMessage()).isEqualTo(condition(s, "Ready").getMessage());
  }

  @Test
  void lastTransitionTimeStaysUnlessStatusOrMessageChanges() {
    PolicyStatus first = PolicyStatuses.next(null, 1, List.of(), List.of(), null, T0);
    PolicyStatus again = PolicyStatuses.next(first, 2, List.of(), List.of(), null, T1);
    assertThat(condition(again, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(condition(again, "Ready").getObservedGeneration()).isEqualTo(2);

    PolicyStatus broken =
        PolicyStatuses.next(again, 3, List.of("spec.rules: a"), List.of(), null, T1);
    assertThat(condition(broken, "Ready").getLastTransitionTime())
        .isEqualTo("2026-01-01T00:05:00Z");

    Instant t2 = T1.plusSeconds(60);
    PolicyStatus otherReason =
        PolicyStatuses.next(broken, 4, List.of("spec.rules: b"), List.of(), null, t2);
    assertThat(condition(otherReason, "Ready").getLastTransitionTime()).isEqualTo(t2.toString());
    assertThat(condition(otherReason, "Stalled").getStatus()).isEqualTo("True");
  }

  @Test
  void sameStatusMeansNothingToWrite() {
    PolicyStatus first = PolicyStatuses.next(null, 1, List.of(), List.of(), null, T0);
    PolicyStatus again = PolicyStatuses.next(first, 1, List.of(), List.of(), null, T1);
    assertThat(PolicyStatuses.same(first, again)).isTrue();
    PolicyStatus newer = PolicyStatuses.next(first, 2, List.of(), List.of(), null, T1);
    assertThat(PolicyStatuses.same(first, newer)).isFalse();
  }

  @Test
  void theLastAuditIsKeptUntilANewOneArrives() {
    AuditStatus audit = new AuditStatus();
    audit.time = "2026-01-01T00:00:00Z";
    audit.violationCount = 4L;
    PolicyStatus withAudit = PolicyStatuses.next(null, 1, List.of(), List.of(), audit, T0);
    PolicyStatus next = PolicyStatuses.next(withAudit, 2, List.of(), List.of(), null, T1);
    assertThat(next.audit.violationCount).isEqualTo(4L);
  }

  static PolicyException exception(String expires, String reason) {
    PolicyException e = new PolicyException();
    e.expires = expires;
    e.reason = reason;
    return e;
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2025-12-31T23:59:59Z      | migration  | spec.exceptions[0]: expired 2025-12-31T23:59:59Z (migration)",
        "2026-01-01T00:00:00Z      | ''         | spec.exceptions[0]: expired 2026-01-01T00:00:00Z",
        "2026-01-01T01:00:00+02:00 | tz offset  | spec.exceptions[0]: expired 2026-01-01T01:00:00+02:00 (tz offset)",
        "2026-01-01T00:00:01Z      | not yet    | ''",
        "next tuesday              | unparsable | ''",
      })
  void expiredExceptionsAreListedWithIndexAndReason(String expires, String reason, String listed) {
    List<String> out = PolicyStatuses.expiredExceptions(List.of(exception(expires, reason)), T0);
    assertThat(out).isEqualTo(listed.isEmpty() ? List.of() : List.of(listed));
  }

  @Test
  void nextExpiryIsTheEarliestFutureOne() {
    var exceptions =
        List.of(
            exception("2025-01-01T00:00:00Z", "past"),
            exception("2026-03-01T00:00:00Z", "later"),
            exception("2026-02-01T00:00:00Z", "sooner"));
    assertThat(PolicyStatuses.nextExpiry(exceptions, T0))
        .isEqualTo(Optional.of(Instant.parse("2026-02-01T00:00:00Z")));
    assertThat(PolicyStatuses.nextExpiry(List.of(exceptions.get(0)), T0)).isEmpty();
    assertThat(PolicyStatuses.nextExpiry(null, T0)).isEmpty();
  }

  @Test
  void expiredExceptionsLandInStatus() {
    PolicyStatus s =
        PolicyStatuses.next(
            null, 1, List.of(), List.of("spec.exceptions[1]: expired x (y)"), null, T0);
    assertThat(s.expiredExceptions).containsExactly("spec.exceptions[1]: expired x (y)");
    assertThat(PolicyStatuses.next(s, 1, List.of(), List.of(), null, T0).expiredExceptions)
        .isNull();
  }
}
