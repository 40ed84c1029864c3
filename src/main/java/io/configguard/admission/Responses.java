package io.configguard.admission;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Shapes what the gates decided into an AdmissionResponse and how it is counted, within the caps on
 * the denial message and the warnings.
 */
final class Responses {
  /** Longest denial message: kubectl prints it whole, so keep it readable. */
  static final int MAX_MESSAGE = 4096;

  /** Longest single warning; the API server may truncate longer ones anyway. */
  static final int MAX_WARNING = 256;

  /** Most warnings returned, the last one saying how many were left out. */
  static final int MAX_WARNINGS = 16;

  /** A response and how it is counted. */
  record Decision(AdmissionMetrics.Result result, AdmissionResponse response) {}

  private Responses() {}

  /** Admitted, with the notes as warnings (capped): WARNED if there are any, else ALLOWED. */
  static Decision allow(Review review, List<String> notes) {
    return shape(review, notes, new PolicyGate.Judgement(List.of(), List.of(), false));
  }

  /** Denied by a gate, with its message as it is and no warnings. */
  static Decision deny(Review review, String message) {
    return deny(review, message, List.of());
  }

  /**
   * The policies' judgement after the earlier gates' notes: denied if a Deny violation was found,
   * with the warnings; else admitted, WARNED if there are warnings, AUDITED if only Audit
   * violations were found.
   */
  static Decision shape(Review review, List<String> notes, PolicyGate.Judgement judgement) {
    List<String> warnings = warnings(Passage.concat(notes, judgement.warnings()));
    if (!judgement.denials().isEmpty()) {
      return deny(review, message(judgement.denials()), warnings);
    }
    AdmissionMetrics.Result result =
        !warnings.isEmpty()
            ? AdmissionMetrics.Result.WARNED
            : judgement.violated()
                ? AdmissionMetrics.Result.AUDITED
                : AdmissionMetrics.Result.ALLOWED;
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder().withUid(review.uid()).withAllowed(true);
    if (!warnings.isEmpty()) {
      response.withWarnings(warnings);
    }
    return new Decision(result, response.build());
  }

  private static Decision deny(Review review, String message, List<String> warnings) {
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder()
            .withUid(review.uid())
            .withAllowed(false)
            .withStatus(new StatusBuilder().withCode(403).withMessage(message).build());
    if (!warnings.isEmpty()) {
      response.withWarnings(warnings);
    }
    return new Decision(AdmissionMetrics.Result.DENIED, response.build());
  }

  /** Every line, in order, as long as they fit in {@link #MAX_MESSAGE}; then how many more. */
  static String message(List<String> lines) {
    StringBuilder message = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String separator = i == 0 ? "" : "\n";
      String line = truncate(lines.get(i), MAX_MESSAGE / 4);
      int after = lines.size() - i - 1;
      int reserve = after == 0 ? 0 : ("\n... and " + after + " more").length();
      if (message.length() + separator.length() + line.length() + reserve > MAX_MESSAGE) {
        message.append(separator).append("... and ").append(lines.size() - i).append(" more");
        break;
      }
      message.append(separator).append(line);
    }
    return message.toString();
  }

  /** At most {@link #MAX_WARNINGS} warnings of at most {@link #MAX_WARNING} characters each. */
  static List<String> warnings(List<String> lines) {
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (i == MAX_WARNINGS - 1 && lines.size() > MAX_WARNINGS) {
        warnings.add("... and " + (lines.size() - i) + " more");
        break;
      }
      warnings.add(truncate(lines.get(i), MAX_WARNING));
    }
    return warnings;
  }

  private static String truncate(String line, int max) {
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }
}
