package io.configguard.admission;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** Collects the formatted messages a logger category writes, for tests on what gets logged. */
final class LogCapture extends Handler {
  private final String category;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

  private LogCapture(String category) {
    this.category = category;
  }

  static LogCapture attach(String category) {
    LogCapture capture = new LogCapture(category);
    Logger.getLogger(category).addHandler(capture);
    return capture;
  }

  void detach() {
    Logger.getLogger(category).removeHandler(this);
  }

  List<String> lines() {
    return lines;
  }

  @Override
  public void publish(LogRecord r) {
    lines.add(r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
