package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.admission.AdmissionMetrics.Result;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Response shaping: how a decision is counted, and the caps on the message and the warnings. */
class ResponsesTest {
  static final PolicyGate.Judgement CLEAN = new PolicyGate.Judgement(List.of(), List.of(), false);

  @Test
  void allowsWithoutNotesAsAllowedAndWithNotesAsWarned() throws Exception {
    Review review = GateReviews.configMap("CREATE", "app", "alice", "dev", "{}");
    Responses.Decision plain = Responses.allow(review, List.of());
    assertThat(plain.result()).isEqualTo(Result.ALLOWED);
    assertThat(plain.response().getAllowed()).isTrue();
    assertThat(plain.response().getUid()).isEqualTo("u-1");
    assertThat(plain.response().getWarnings()).isNullOrEmpty();

    Responses.Decision noted = Responses.allow(review, List.of("break-glass: x"));
    assertThat(noted.result()).isEqualTo(Result.WARNED);
    assertThat(noted.response().getWarnings()).containsExactly("break-glass: x");
  }

  @Test
  void aGateDenialKeepsItsMessageWholeAndCarriesNoWarnings() throws Exception {
    Review review = GateReviews.configMap("CREATE", "app", "alice", "dev", "{}");
    String message = "the policy does not compile:\n" + "x".repeat(2 * Responses.MAX_MESSAGE);
    Responses.Decision denied = Responses.deny(review, message);
    assertThat(denied.result()).isEqualTo(Result.DENIED);
    assertThat(denied.response().getAllowed()).isFalse();
    assertThat(denied.response().getStatus().getCode()).isEqualTo(403);
    assertThat(denied.response().getStatus().getMessage()).isEqualTo(message);
    assertThat(denied.response().getWarnings()).isNullOrEmpty();
  }

  @Test
  void policyDenialsAreCappedAndKeepTheNotesThenTheWarningsAsWarnings() throws Exception {
    Review review = GateReviews.configMap("CREATE", "app", "alice", "dev", "{}");
    List<String> denials = Collections.nCopies(100, "p/r: " + "d".repeat(100));
    Responses.Decision denied =
        Responses.shape(
            review,
            List.of("note"),
            new PolicyGate.Judgement(denials, List.of("p/w: " + "w".repeat(600)), true));
    assertThat(denied.result()).isEqualTo(Result.DENIED);
    assertThat(denied.response().getStatus().getMessage())
        .hasSizeLessThanOrEqualTo(Responses.MAX_MESSAGE)
        .endsWith(" more");
    assertThat(denied.response().getWarnings()).hasSize(2).startsWith("note");
    assertThat(denied.response().getWarnings().get(1)).hasSize(Responses.MAX_WARNING);
  }

  @Test
  void admittedViolationsAreAuditedUnlessTheyWarn() throws Exception {
    Review review = GateReviews.configMap("CREATE", "app", "alice", "dev", "{}");
    PolicyGate.Judgement audited = new PolicyGate.Judgement(List.of(), List.of(), true);
    assertThat(Responses.shape(review, List.of(), audited).result()).isEqualTo(Result.AUDITED);
    assertThat(Responses.shape(review, List.of("note"), audited).result()).isEqualTo(Result.WARNED);
    assertThat(Responses.shape(review, List.of(), CLEAN).result()).isEqualTo(Result.ALLOWED);
  }

  @Test
  void warningsStopAtTheCountCapSayingHowManyMore() throws Exception {
    Review review = GateReviews.configMap("CREATE", "app", "alice", "dev", "{}");
    List<String> notes = Collections.nCopies(40, "note");
    List<String> warnings = Responses.shape(review, notes, CLEAN).response().getWarnings();
    assertThat(warnings).hasSize(Responses.MAX_WARNINGS);
    assertThat(warnings.get(Responses.MAX_WARNINGS - 1)).isEqualTo("... and 25 more");
  }
}
