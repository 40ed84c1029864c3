package io.configguard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code configguard check} in-process with the same picocli parsing as the app. */
record Cli(int exit, String out, String err) {
  static Cli check(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new CheckCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }
}
