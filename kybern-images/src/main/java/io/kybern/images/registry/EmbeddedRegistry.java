package io.kybern.images.registry;

import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The registry a Kybern server runs for its nodes' containerd (as their registry mirror) and for
 * {@code kybern image push}: started with the server, stopped with it.
 */
public interface EmbeddedRegistry extends AutoCloseable {

    /** The default port: the one every registry tutorial uses, free of Kubernetes' own ports. */
    int DEFAULT_PORT = 5000;

    /** Serves the images kept in {@code DATA_DIR/images} on {@code address}. */
    static EmbeddedRegistry start(Path dataDir, InetSocketAddress address) throws IOException, InterruptedException {
        return RegistryServer.start(ImageStore.inDataDir(dataDir), address);
    }

    /** Where it listens (the real port when 0 was asked for). */
    InetSocketAddress address();

    @Override
    void close();
}
