package io.configguard;

import io.configguard.admission.ServeCommand;
import io.configguard.cli.CheckCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The {@code configguard} command: {@code serve} runs the webhook, {@code check} runs CI checks.
 */
@TopCommand
@Command(
    name = "configguard",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Guardrail between config generators and the pods that consume config.",
    subcommands = {ServeCommand.class, CheckCommand.class})
public class ConfigguardCommand {}
