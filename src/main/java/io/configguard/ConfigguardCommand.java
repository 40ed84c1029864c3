package io.configguard;

import io.configguard.cli.CheckCommand;
import io.configguard.cli.TestCommand;
import io.configguard.serve.ServeCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The {@code configguard} command: {@code serve} runs the webhook, {@code check} and {@code test}
 * run CI checks and policy tests.
 */
@TopCommand
@Command(
    name = "configguard",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Guardrail between config generators and the pods that consume config.",
    subcommands = {ServeCommand.class, CheckCommand.class, TestCommand.class})
public class ConfigguardCommand {}
