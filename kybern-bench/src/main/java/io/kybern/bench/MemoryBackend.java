package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.memory.MemoryStore;

/** The in-memory store: no disk, no durability; a ceiling to compare against and a fast self-test. */
final class MemoryBackend implements BenchBackend {

    private final MemoryStore store = new MemoryStore();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Store store() {
        return store;
    }

    @Override
    public long diskBytes() {
        return -1;
    }

    @Override
    public void close() {
        store.close();
    }
}
