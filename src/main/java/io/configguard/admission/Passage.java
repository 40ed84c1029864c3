package io.configguard.admission;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an admission gate answers: a denial that ends the chain, or the notes (kubectl warnings) the
 * request goes on with.
 *
 * @param denial the message of the 403, or null when the request passes
 */
record Passage(String denial, List<String> notes) {

  /** Reads the metadata and specs of reviewed objects, ignoring fields it does not know. */
  static final ObjectMapper LENIENT =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static Passage pass(List<String> notes) {
    return new Passage(null, List.copyOf(notes));
  }

  static Passage deny(String message) {
    return new Passage(message, List.of());
  }

  boolean denied() {
    return denial != null;
  }

  /** The notes of both, these first. */
  static List<String> concat(List<String> first, List<String> then) {
    return Stream.concat(first.stream(), then.stream()).toList();
  }

  /** How messages and logs name the reviewed object: namespace/name, or name if cluster-scoped. */
  static String objectName(Review review) {
    return review.namespace().isEmpty() ? review.name() : review.namespace() + "/" + review.name();
  }
}
