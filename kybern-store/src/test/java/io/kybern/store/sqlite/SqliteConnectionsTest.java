package io.kybern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings each kind of connection really runs with, read back from SQLite. */
class SqliteConnectionsTest {

    @TempDir
    Path dir;

    @Test
    void onlyTheWriterKeepsALargePageCache() throws Exception {
        Path file = dir.resolve("kv.db");
        try (Connection writer = SqliteConnections.openWriter(file, 1 << 20);
                Connection reader = SqliteConnections.openReader(file);
                Connection checkpointer = SqliteConnections.openCheckpointer(file)) {
            // Negative figures are KiB.
            assertThat(Schema.intPragma(writer, "cache_size")).isEqualTo(-16 * 1024);
            assertThat(Schema.intPragma(reader, "cache_size")).isEqualTo(-2 * 1024);
            assertThat(Schema.intPragma(checkpointer, "cache_size")).isEqualTo(-2 * 1024);
            assertThat(Schema.intPragma(writer, "synchronous")).as("FULL").isEqualTo(2);
            assertThat(Schema.intPragma(writer, "wal_autocheckpoint")).isZero();
        }
    }
}
