package io.kybern.store.etcd;

import io.kybern.store.DurableStoreContractTest;
import io.kybern.store.Store;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract on a real etcd. One server for the whole class, because starting etcd takes a second or
 * more; the contract's tests keep to their own prefixes and compare revisions only relative to their
 * own writes, so they do not see each other.
 */
class EtcdStoreContractTest extends DurableStoreContractTest {

    @RegisterExtension
    static final LocalEtcdExtension etcd = new LocalEtcdExtension();

    /**
     * A store whose watches pause their etcd stream once 64 events wait for the listener (instead of the
     * default 10,000), so that the contract's slow and stuttering listeners make the watch stop and resume
     * from etcd's history many times: that is where a gap or a duplicate would come from.
     */
    @Override
    protected Store openStore() {
        return new EtcdStore(List.of(etcd.server().clientEndpoint()), EtcdStore.DEFAULT_TIMEOUT,
                new EtcdWatch.Backlog(64, Long.MAX_VALUE));
    }

    @Override
    protected Store restart(Store store) {
        store.close();
        etcd.server().restart();
        return openStore();
    }
}
