package io.configguard.api;

/** Which object keys a {@code format: json} rule treats as one key. */
public enum DuplicateKeys {
  /** Keys equal as strings (the JSON default, and every reader's). */
  exact,
  /**
   * Also keys that differ only in letter case or in lone surrogates, as Go's encoding/json reads
   * them into a struct: it matches fields case-insensitively and turns lone surrogates into U+FFFD.
   */
  caseInsensitive
}
