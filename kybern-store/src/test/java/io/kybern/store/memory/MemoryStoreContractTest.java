package io.kybern.store.memory;

import io.kybern.store.Store;
import io.kybern.store.StoreContractTest;

class MemoryStoreContractTest extends StoreContractTest {

    @Override
    protected Store openStore() {
        return new MemoryStore();
    }
}
