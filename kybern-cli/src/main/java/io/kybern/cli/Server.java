package io.kybern.cli;

import io.kybern.store.Store;
import io.kybern.store.Stores;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Kybern server: its parts started in dependency order behind readiness (datastore first),
 * stopped in reverse on SIGTERM or {@link #close()}.
 *
 * <p>Today the server runs the datastore; the API server, controllers and node agent join it as their
 * issues land.
 */
final class Server implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final ServerConfig config;
    private final Store store;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread shutdownHook;

    private Server(ServerConfig config, Store store) {
        this.config = config;
        this.store = store;
        this.shutdownHook = new Thread(this::close, "kybern-shutdown");
    }

    static Server start(ServerConfig config) {
        long started = System.nanoTime();
        Stores.Endpoint endpoint = Stores.describe(config.datastoreEndpoint(), config.dataDir());
        log.info("starting datastore kind={} location={}", endpoint.kind(), endpoint.location());
        Store store = Stores.open(config.datastoreEndpoint(), config.dataDir());
        long revision = store.currentRevision();
        Server server = new Server(config, store);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        log.info("datastore ready kind={} revision={} elapsed_ms={}", endpoint.kind(), revision,
                (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    Store store() {
        return store;
    }

    ServerConfig config() {
        return config;
    }

    void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        log.info("stopping");
        store.close();
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from the hook itself.
        }
        log.info("stopped");
    }
}
