package io.kybern.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kybern} command. Flag definitions live in the command classes, behaviour behind them. */
@Command(
        name = "kybern",
        mixinStandardHelpOptions = true,
        versionProvider = KybernVersion.class,
        description = "A Kubernetes-compatible container orchestrator on the JVM.")
public final class Main implements Runnable {

    /** The subcommands by name, in the order the usage lists them; each made only when it is needed. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command line, every subcommand modelled. */
    static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS.keySet());
    }

    /**
     * The command line these arguments need: when the first names a subcommand, that subcommand alone, or else
     * all of them (for the usage, a typo's suggestions and --version). Picocli models a command by reflection
     * over its annotations, and its own classes, compiled for Java 5, stay outside the AOT class cache (which
     * links no class file that old): modelling the four commands not run cost each start about 0.15 s of CPU
     * (decision 0008).
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0 && SUBCOMMANDS.containsKey(args[0])) {
            return commandLine(Set.of(args[0]));
        }
        return commandLine();
    }

    private static CommandLine commandLine(Set<String> subcommands) {
        CommandLine line = new CommandLine(new Main());
        SUBCOMMANDS.forEach((name, command) -> {
            if (subcommands.contains(name)) {
                line.addSubcommand(name, command.get());
            }
        });
        // After the subcommands are added: picocli applies these settings to the commands it has then.
        return line.setCaseInsensitiveEnumValuesAllowed(true).setParameterExceptionHandler(Main::invalidInput);
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("version", VersionCommand::new);
        commands.put("server", ServerCommand::new);
        commands.put("agent", AgentCommand::new);
        commands.put("sim", SimCommand::new);
        commands.put("image", ImageCommand::new);
        return Collections.unmodifiableMap(commands);
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
