package io.kybern.store.sqlite;

import io.kybern.store.DurableStoreContractTest;
import io.kybern.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreContractTest extends DurableStoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStore.open(dir.resolve("state.db"));
    }

    @Override
    protected Store restart(Store store) {
        store.close();
        return openStore();
    }
}
