package io.kybern.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kybern.store.CompactedException;
import io.kybern.store.StoreCorruptedException;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.WriteResult;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the SQLite backend promises: file handling, group commit, bounded size. */
class SqliteStoreTest {

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("state.db");
    }

    private static String digest(Path file) throws Exception {
        return digest(Files.readAllBytes(file));
    }

    private static String digest(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void refusesAFileThatIsNotAnSqliteDatabaseAndLeavesItAlone() throws Exception {
        byte[] foreign = "{\"this\": \"is a JSON file, not a database\"}".repeat(200).getBytes(UTF_8);
        Files.write(db(), foreign);

        assertThatThrownBy(() -> SqliteStore.open(db())).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining(db().toString()).hasMessageContaining("not an SQLite database");
        assertThat(digest(db())).isEqualTo(digest(foreign));
    }

    @Test
    void refusesAnotherApplicationsSqliteDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (name TEXT)");
            s.execute("INSERT INTO users VALUES ('alice')");
        }
        String before = digest(db());

        assertThatThrownBy(() -> SqliteStore.open(db())).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("another application");
        assertThat(digest(db())).isEqualTo(before);
        assertThat(Files.exists(dir.resolve("state.db-wal"))).isFalse();
    }

    @Test
    void refusesADatabaseWrittenByANewerSchema() throws Exception {
        SqliteStore.open(db()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
                Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }

        assertThatThrownBy(() -> SqliteStore.open(db())).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("newer Kybern");
    }

    @Test
    void detectsADamagedDatabaseWhenOpening() throws Exception {
        try (SqliteStore store = SqliteStore.open(db())) {
            for (int i = 0; i < 500; i++) {
                store.create("/registry/configmaps/default/cm-" + i, ("value " + i).repeat(40).getBytes(UTF_8));
            }
        }
        long size = Files.size(db());
        assertThat(size).isGreaterThan(64 * 1024);
        // Scribble over pages in the middle of the file, as a failing disk would.
        try (RandomAccessFile raf = new RandomAccessFile(db().toFile(), "rw")) {
            byte[] junk = new byte[4096];
            java.util.Arrays.fill(junk, (byte) 0x5a);
            for (long page = 4; page * 4096 < size - 4096; page += 3) {
                raf.seek(page * 4096);
                raf.write(junk);
            }
        }

        assertThatThrownBy(() -> SqliteStore.open(db())).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining(db().toString());
    }

    @Test
    void refusesASecondOpenerOfTheSameFile() {
        try (SqliteStore first = SqliteStore.open(db())) {
            first.create("/k", "v".getBytes(UTF_8));

            assertThatThrownBy(() -> SqliteStore.open(db())).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("in use");
            assertThat(first.get("/k")).isPresent();
        }
        try (SqliteStore again = SqliteStore.open(db())) {
            assertThat(again.get("/k")).isPresent();
        }
    }

    @Test
    void concurrentWritersShareCommits() throws Exception {
        try (SqliteStore store = SqliteStore.open(db())) {
            SqliteStats before = store.stats();
            int writers = 16;
            int perWriter = 100;
            try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < perWriter; i++) {
                            store.create("/w/" + writer + "/" + i, new byte[1024]);
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            SqliteStats after = store.stats();

            assertThat(after.writes() - before.writes()).isEqualTo(writers * perWriter);
            assertThat(after.commits() - before.commits()).as("commits for %d writes", writers * perWriter)
                    .isLessThan(writers * perWriter);
        }
    }

    @Test
    void compactionReturnsSpaceToTheFileSystem() {
        try (SqliteStore store = SqliteStore.open(SqliteOptions.defaults(db()).withCompactInterval(Duration.ZERO))) {
            byte[] value = new byte[1024];
            List<Long> revisions = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < 300; i++) {
                    revisions.add(store.put("/churn/" + i, value).revision());
                }
            }
            store.checkpoint();
            long before = store.stats().databaseBytes();

            store.compact(store.currentRevision());
            store.checkpoint();
            long after = store.stats().databaseBytes();

            // 300 live keys of 1 KiB remain out of 2,400 rows.
            assertThat(after).as("bytes after compaction, %d before", before).isLessThan(before / 3);
            assertThat(store.range(io.kybern.store.RangeRequest.prefix("/churn/")).kvs()).hasSize(300);
            assertThatThrownBy(() -> store.get("/churn/1", revisions.getFirst()))
                    .isInstanceOf(CompactedException.class);
        }
    }

    @Test
    void aLittleFreeSpaceIsKeptForNewRowsRatherThanHandedBack() {
        try (SqliteStore store = SqliteStore.open(SqliteOptions.defaults(db()).withCompactInterval(Duration.ZERO))) {
            byte[] value = new byte[1024];
            for (int i = 0; i < 1000; i++) {
                store.put("/steady/" + i, value);
            }
            for (int i = 0; i < 100; i++) {
                store.put("/steady/" + i, value);
            }
            store.checkpoint();
            long before = store.stats().databaseBytes();

            store.compact(store.currentRevision());
            store.checkpoint();

            SqliteStore.PageCounts pages = store.pageCounts();
            assertThat(pages.free()).as("pages freed by compaction").isPositive();
            assertThat(pages.free()).isLessThan((long) (pages.total() * Compactor.RECLAIM_ABOVE));
            assertThat(store.stats().databaseBytes()).isEqualTo(before);
            // New rows fill the holes instead of growing the file.
            for (int i = 0; i < 50; i++) {
                store.put("/steady/" + i, value);
            }
            store.checkpoint();
            assertThat(store.stats().databaseBytes()).isEqualTo(before);
        }
    }

    @Test
    void compactsByItselfKeepingRecentHistory() {
        SqliteOptions options = new SqliteOptions(db(), java.time.InstantSource.system(), true, 2,
                Duration.ofMillis(250), Duration.ofSeconds(1), 64L * 1024 * 1024, Duration.ofMillis(200), 10, 1000);
        try (SqliteStore store = SqliteStore.open(options)) {
            WriteResult first = store.put("/auto/a", "0".getBytes(UTF_8));
            for (int i = 1; i <= 50; i++) {
                store.put("/auto/a", Integer.toString(i).getBytes(UTF_8));
            }

            // Compaction runs in steps as time passes; reading at the compaction point itself is still
            // allowed, so wait until it has passed the first write.
            await().atMost(Duration.ofSeconds(10)).until(() -> store.compactRevision() > first.revision());

            assertThat(store.compactRevision()).isLessThanOrEqualTo(store.currentRevision() - 10);
            assertThatThrownBy(() -> store.get("/auto/a", first.revision())).isInstanceOf(CompactedException.class);
            assertThat(store.get("/auto/a").orElseThrow().valueAsString()).isEqualTo("50");
        }
    }

    @Test
    void theWriteAheadLogStaysBoundedUnderASteadyStreamOfWrites() throws Exception {
        long limit = 1024 * 1024;
        SqliteOptions options = new SqliteOptions(db(), java.time.InstantSource.system(), true, 2,
                Duration.ofMillis(250), Duration.ofMillis(100), limit, Duration.ZERO, 1000, 1000);
        try (SqliteStore store = SqliteStore.open(options)) {
            long largest = 0;
            // 16 MiB of values from 8 writers, with background checkpoints running all along.
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    int writer = w;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 2048; i++) {
                            store.put("/wal/" + writer + "/" + (i % 64), new byte[1024]);
                        }
                    }));
                }
                while (!futures.stream().allMatch(Future::isDone)) {
                    largest = Math.max(largest, store.stats().walBytes());
                    Thread.sleep(5);
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            largest = Math.max(largest, store.stats().walBytes());

            // The limit, plus what one batch can add before the writer restarts the log.
            assertThat(largest).as("largest log seen, limit %d", limit)
                    .isLessThan(limit + LogWriter.MAX_BATCH_BYTES / 4);
            assertThat(store.range(io.kybern.store.RangeRequest.prefix("/wal/")).kvs()).hasSize(8 * 64);
        }
    }

    @Test
    void leasesSurviveARestartWithAFreshTimeToLive() {
        long lease;
        try (SqliteStore store = SqliteStore.open(db())) {
            lease = store.grantLease(Duration.ofMinutes(5));
            store.create("/events/e1", "x".getBytes(UTF_8), lease);
        }
        try (SqliteStore store = SqliteStore.open(db())) {
            store.keepAlive(lease);
            assertThat(store.get("/events/e1").orElseThrow().lease()).isEqualTo(lease);
            long next = store.grantLease(Duration.ofMinutes(5));
            assertThat(next).as("lease ids are not reused").isGreaterThan(lease);
            store.revokeLease(lease);
            assertThat(store.get("/events/e1")).isEmpty();
        }
    }
}
