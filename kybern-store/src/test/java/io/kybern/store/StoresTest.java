package io.kybern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.store.memory.MemoryStore;
import io.kybern.store.sqlite.SqliteStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoresTest {

    @TempDir
    Path dataDir;

    @Test
    void anEmptyEndpointIsTheEmbeddedSqliteDatabaseInTheDataDirectory() {
        try (Store store = Stores.open("", dataDir)) {
            assertThat(store).isInstanceOf(SqliteStore.class);
            store.create("/k", new byte[] {1});
        }
        assertThat(Files.exists(dataDir.resolve("db/state.db"))).isTrue();
        assertThat(Stores.describe(null, dataDir)).isEqualTo(
                new Stores.Endpoint("sqlite", dataDir.resolve("db/state.db").toString()));
    }

    @Test
    void sqliteEndpointsNameTheirFileRelativeToTheDataDirectory() {
        try (Store store = Stores.open("sqlite://other/kv.db", dataDir)) {
            assertThat(store).isInstanceOf(SqliteStore.class);
        }
        assertThat(Files.exists(dataDir.resolve("other/kv.db"))).isTrue();
    }

    @Test
    void memoryEndpointsKeepNothing() {
        try (Store store = Stores.open("memory://", dataDir)) {
            assertThat(store).isInstanceOf(MemoryStore.class);
        }
    }

    @Test
    void etcdEndpointsListTheirMembers() {
        assertThat(Stores.etcdEndpoints("etcd://10.0.0.1:2379, 10.0.0.2:2379"))
                .containsExactly(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:2379"));
        assertThat(Stores.etcdEndpoints("http://127.0.0.1:2379")).containsExactly(URI.create("http://127.0.0.1:2379"));
    }

    @Test
    void malformedEndpointsAreRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> Stores.open("postgres://db", dataDir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgres://db").hasMessageContaining("etcd://HOST:PORT");
        assertThatThrownBy(() -> Stores.etcdEndpoints("etcd://")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stores.etcdEndpoints("etcd://hostonly")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HOST:PORT");
    }
}
