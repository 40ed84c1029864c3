package io.configguard.cli;

import io.configguard.cli.FileChecks.Checked;
import io.configguard.policy.PolicySet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code configguard check}: evaluates manifests against policies with the webhook's engine and
 * lines, for CI and GitOps pipelines. Exit 0 = no Deny violation, 1 = a Deny violation, 2 = usage
 * error or unreadable input (including a policy that does not compile).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks Kubernetes manifests against configguard policies, as the webhook would.",
      "Exit status: 0 no Deny violation, 1 a Deny violation, 2 usage error, unreadable input"
          + " or a policy that does not compile."
    })
public class CheckCommand implements Callable<Integer> {
  static final int PASS = 0;
  static final int DENIED = 1;
  static final int UNREADABLE = 2;

  @Option(
      names = "--policies",
      required = true,
      split = ",",
      paramLabel = "DIR|FILE",
      description = "ConfigPolicy/ClusterConfigPolicy files or folders (repeatable).")
  List<Path> policies;

  @Option(
      names = "--old",
      split = ",",
      paramLabel = "DIR|FILE",
      description =
          "Previously deployed manifests, matched by kind/namespace/name: a match makes the"
              + " check an UPDATE, so growth, shrink and immutable rules apply.")
  List<Path> old = List.of();

  @Option(
      names = "--output",
      defaultValue = "text",
      paramLabel = Output.LABEL,
      description =
          "Report format (default: ${DEFAULT-VALUE}): junit is JUnit XML, one test case per"
              + " object and policy; github prints workflow annotations at each object's line.")
  Output output;

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description = "Namespace of objects that name none (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Manifest files or folders.")
  List<Path> paths;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return check(spec.commandLine().getOut(), spec.commandLine().getErr());
    } catch (RuntimeException e) {
      // Exit 1 means "denied" to a pipeline; a check that could not run must not look like one.
      spec.commandLine().getErr().println("configguard check: cannot evaluate: " + e);
      return UNREADABLE;
    }
  }

  private int check(PrintWriter out, PrintWriter err) {
    PolicySet policySet;
    List<Checked> results;
    try {
      policySet = FileChecks.compile(policies, namespace);
      results = FileChecks.run(policySet, paths, old, namespace);
    } catch (FileChecks.Unusable e) {
      e.messages.forEach(m -> err.println("configguard check: " + m));
      return UNREADABLE;
    }
    CheckReports.write(output, results, policySet.size(), out);
    out.flush();
    return results.stream().anyMatch(r -> r.verdict().denied()) ? DENIED : PASS;
  }
}
