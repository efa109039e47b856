package io.kybern.bench;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bin/bench} command: one subcommand per benchmark. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Kybern's macro benchmarks. Run one as: bench <name> [--quick] [options]",
        subcommands = {StoreBenchmark.class, ApiBenchmark.class, SchedulerBenchmark.class,
            PodStartupBenchmark.class})
public final class BenchMain implements Callable<Integer> {

    /**
     * gRPC logs through java.util.logging, not SLF4J, and says at INFO which socket transport it picked;
     * held here because the JDK keeps loggers only weakly, and a collected logger forgets its level.
     */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs the command line and returns the exit code; separate from {@link #main} for tests. */
    static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine commandLine = new CommandLine(new BenchMain());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        Set<String> names = commandLine.getSubcommands().keySet();
        // picocli would call an unknown name an "unmatched argument"; say plainly what exists instead.
        if (args.length > 0 && !args[0].startsWith("-") && !names.contains(args[0])) {
            err.println("bench: unknown benchmark '" + args[0] + "'; available: " + String.join(", ", names));
            err.println("usage: bin/bench <name> [--quick] [options]   (bin/bench <name> --help for its options)");
            return CommandLine.ExitCode.USAGE;
        }
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        // No benchmark named: list them rather than pick one.
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
