package io.kybern.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kybern} command. Flag definitions live in the command classes, behaviour behind them. */
@Command(
        name = "kybern",
        mixinStandardHelpOptions = true,
        versionProvider = KybernVersion.class,
        description = "A Kubernetes-compatible container orchestrator on the JVM.",
        subcommands = {VersionCommand.class, ServerCommand.class, AgentCommand.class, SimCommand.class,
                ImageCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::invalidInput);
    }

    /**
     * A wrong flag or value: the message, picocli's "possible solutions" when a flag's name is close, and
     * the usage in any case (picocli's default shows the usage only when it has no suggestion).
     */
    private static int invalidInput(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        java.io.PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText(e.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        command.usage(err, command.getColorScheme());
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
