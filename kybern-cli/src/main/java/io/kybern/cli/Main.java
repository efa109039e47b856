package io.kybern.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kybern} command. Flag definitions live in the command classes, behaviour behind them. */
@Command(
        name = "kybern",
        mixinStandardHelpOptions = true,
        versionProvider = KybernVersion.class,
        description = "A Kubernetes-compatible container orchestrator on the JVM.",
        subcommands = {VersionCommand.class, ServerCommand.class, SimCommand.class, ImageCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
