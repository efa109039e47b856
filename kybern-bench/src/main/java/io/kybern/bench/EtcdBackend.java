package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.etcd.EtcdStore;
import io.kybern.store.etcd.LocalEtcd;
import java.util.List;

/**
 * A real etcd, started for the run on this machine's loopback interface with its default durability,
 * reached through the etcd backend as the API server would reach it.
 */
final class EtcdBackend implements BenchBackend {

    private final LocalEtcd etcd;
    private final EtcdStore store;

    private EtcdBackend(LocalEtcd etcd, EtcdStore store) {
        this.etcd = etcd;
        this.store = store;
    }

    static EtcdBackend start() {
        LocalEtcd etcd = LocalEtcd.start();
        try {
            return new EtcdBackend(etcd, EtcdStore.connect(List.of(etcd.clientEndpoint())));
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public Store store() {
        return store;
    }

    /** The whole data directory: the write-ahead log and snapshots as well as the bbolt database. */
    @Override
    public long diskBytes() {
        return DiskUsage.ofTree(etcd.dataDir());
    }

    /** Closes the client, then stops etcd, which deletes its directory. */
    @Override
    public void close() {
        try {
            store.close();
        } finally {
            etcd.close();
        }
    }
}
