package io.configguard.policy.parse;

/** A value that does not parse in its declared format; the message carries line and column. */
public final class ParseFailure extends Exception {
  public ParseFailure(String message) {
    super(message, null, false, false);
  }
}
