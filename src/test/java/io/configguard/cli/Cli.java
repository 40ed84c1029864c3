package io.configguard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs {@code configguard check} or {@code test} in-process with the same picocli parsing as the
 * app.
 */
record Cli(int exit, String out, String err) {
  static Cli check(String... args) {
    return run(new CheckCommand(), args);
  }

  static Cli test(String... args) {
    return run(new TestCommand(), args);
  }

  private static Cli run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }
}
