package io.kybern.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the user asked the server for; the running parts live in {@link Server}.
 *
 * @param dataDir           where the server keeps its state
 * @param datastoreEndpoint the datastore, in {@link io.kybern.store.Stores}' syntax
 */
record ServerConfig(Path dataDir, String datastoreEndpoint) {

    ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        datastoreEndpoint = datastoreEndpoint == null ? "" : datastoreEndpoint;
    }
}
