package io.kybern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.store.sqlite.SqliteStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dataDir;

    @Test
    void versionNamesTheBuiltVersion() {
        assertThat(KybernVersion.version()).isNotBlank().isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void unknownFlagsAreRefusedWithUsage() {
        Run run = run("server", "--no-such-flag");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--no-such-flag'").contains("--datastore-endpoint");
    }

    @Test
    void theUsageListsEverySubcommandWhateverTheArgumentsModel() {
        Run run = run("--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Commands:").contains("version", "server", "agent", "sim", "image");
    }

    @Test
    void aMistypedSubcommandIsRefusedWithTheNamesThatExist() {
        Run run = run("sever");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument at index 0: 'sever'").contains("server");
    }

    @Test
    void aSubcommandRunsFromTheCommandLineModelledForIt() {
        Run run = run("image", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Usage: kybern image").contains("import", "build", "push");
    }

    private record Run(int exit, String out, String err) {
    }

    /** The arguments run as {@code kybern} runs them: on the command line modelled for them. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine(args).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void simWithoutAKubeconfigIsRefusedWithUsage() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine().setErr(new PrintWriter(err));

        int exit = cli.execute("sim", "--nodes", "2");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--kubeconfig=FILE'").contains("--sim-node-cpu");
    }

    @Test
    void malformedSimulatedNodeTaintsStopTheServerBeforeItStarts() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine().setErr(new PrintWriter(err));

        int exit = cli.execute("server", "--data-dir", dataDir.toString(), "--simulated-nodes", "1",
                "--sim-node-taints", "dedicated=gpu");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("a taint is key[=value]:Effect: dedicated=gpu");
        assertThat(Files.exists(dataDir.resolve("admin.kubeconfig"))).as("nothing started").isFalse();
    }

    @Test
    void serverFlagsNameTheAgentWhichRunsUnlessDisabled() {
        String usage = Main.commandLine().getSubcommands().get("server").getUsageMessage();

        assertThat(usage).contains("--disable-agent", "--container-runtime-endpoint=SOCKET", "--cluster-cidr=CIDR")
                .doesNotContain("--agent=");
    }

    @Test
    void theServerKeepsItsStateInTheDataDirectoryAcrossRestarts() {
        ServerConfig config = new ServerConfig(dataDir, "", "127.0.0.1", 0, null, java.util.List.of());
        long defaultNamespace;
        try (Server server = Server.start(config)) {
            defaultNamespace = server.store().get("/registry/namespaces/default").orElseThrow().modRevision();
        }
        assertThat(Files.exists(dataDir.resolve("db/state.db"))).isTrue();
        assertThat(Files.exists(dataDir.resolve("admin.kubeconfig"))).isTrue();
        try (Server server = Server.start(config)) {
            assertThat(server.store()).isInstanceOf(SqliteStore.class);
            // The namespace made on first start is the same object, not made again.
            assertThat(server.store().get("/registry/namespaces/default").orElseThrow().modRevision())
                    .isEqualTo(defaultNamespace);
        }
    }
}
