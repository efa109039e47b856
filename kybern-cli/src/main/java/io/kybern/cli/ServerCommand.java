package io.kybern.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kybern server}: flags only; {@link Server} does the work. Flag names follow k3s. */
@Command(name = "server", description = "Run a Kybern server (the control plane) on this machine.")
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${KYBERN_DATA_DIR:-/var/lib/kybern}",
            description = "Where the server keeps its state (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--datastore-endpoint", paramLabel = "ENDPOINT", defaultValue = "",
            description = "Empty for the embedded SQLite database, sqlite://FILE, "
                    + "etcd://HOST:PORT[,HOST:PORT...] for a real etcd cluster, or memory://.")
    String datastoreEndpoint;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(dataDir, datastoreEndpoint);
        try (Server server = Server.start(config)) {
            server.awaitShutdown();
        }
        return 0;
    }
}
