package io.kybern.store;

import io.kybern.store.etcd.EtcdStore;
import io.kybern.store.memory.MemoryStore;
import io.kybern.store.sqlite.SqliteStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the store a {@code --datastore-endpoint} names, with k3s's syntax where it has one:
 * <ul>
 *   <li>empty: the embedded SQLite database {@code <data-dir>/db/state.db};
 *   <li>{@code sqlite://<file>}: an SQLite database at that path;
 *   <li>{@code etcd://host:port[,host:port...]} or {@code http://host:port[,...]}: a real etcd cluster;
 *   <li>{@code memory://}: nothing kept after exit (tests and experiments).
 * </ul>
 */
public final class Stores {

    private Stores() {
    }

    /** Describes where an endpoint keeps its data, for logs. */
    public record Endpoint(String kind, String location) {
    }

    public static Store open(String endpoint, Path dataDir) {
        String e = endpoint == null ? "" : endpoint.strip();
        if (e.isEmpty()) {
            return SqliteStore.open(defaultSqliteFile(dataDir));
        }
        if (e.startsWith("sqlite://")) {
            return SqliteStore.open(sqliteFile(e, dataDir));
        }
        if (e.equals("memory://") || e.equals("memory:")) {
            return new MemoryStore();
        }
        if (e.startsWith("etcd://") || e.startsWith("http://")) {
            return EtcdStore.connect(etcdEndpoints(e));
        }
        throw new IllegalArgumentException("unsupported datastore endpoint '" + endpoint
                + "': use empty (embedded sqlite), sqlite://FILE, etcd://HOST:PORT[,HOST:PORT...] or memory://");
    }

    public static Endpoint describe(String endpoint, Path dataDir) {
        String e = endpoint == null ? "" : endpoint.strip();
        if (e.isEmpty()) {
            return new Endpoint("sqlite", defaultSqliteFile(dataDir).toString());
        }
        if (e.startsWith("sqlite://")) {
            return new Endpoint("sqlite", sqliteFile(e, dataDir).toString());
        }
        if (e.startsWith("memory:")) {
            return new Endpoint("memory", "memory");
        }
        return new Endpoint("etcd", etcdEndpoints(e).toString());
    }

    static Path defaultSqliteFile(Path dataDir) {
        return dataDir.resolve("db").resolve("state.db");
    }

    private static Path sqliteFile(String endpoint, Path dataDir) {
        String path = endpoint.substring("sqlite://".length());
        if (path.isEmpty()) {
            return defaultSqliteFile(dataDir);
        }
        return dataDir.resolve(path);
    }

    /** The etcd client URLs of an endpoint list; {@code etcd://a:1,b:2} means plain HTTP to each. */
    static List<URI> etcdEndpoints(String endpoint) {
        String list = endpoint.substring(endpoint.indexOf("://") + 3);
        List<URI> uris = new ArrayList<>();
        for (String member : list.split(",")) {
            String m = member.strip();
            if (m.startsWith("http://")) {
                m = m.substring("http://".length());
            }
            if (m.isEmpty()) {
                continue;
            }
            URI uri = URI.create("http://" + m);
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("etcd member '" + member + "' must be HOST:PORT");
            }
            uris.add(uri);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoint '" + endpoint + "' names no member");
        }
        return uris;
    }
}
