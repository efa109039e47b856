package io.kybern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {

    @TempDir
    Path dir;

    @Test
    void theCopyIsTheJarsLibraryUnderItsVersionAndPlatform() throws Exception {
        Path library = SqliteNativeLibrary.copyInto(dir);

        assertThat(library).isRegularFile();
        assertThat(library.getParent().getFileName().toString())
                .startsWith("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-");
        try (InputStream jar = SQLiteJDBCLoader.class.getResourceAsStream(
                LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName())) {
            assertThat(Files.readAllBytes(library)).isEqualTo(jar.readAllBytes());
        }
        try (var left = Files.list(library.getParent())) {
            assertThat(left).containsExactly(library); // no partial copy left behind
        }
    }

    @Test
    void aCopyAlreadyThereIsKept() throws Exception {
        Path library = SqliteNativeLibrary.copyInto(dir);
        FileTime written = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        Files.setLastModifiedTime(library, written);

        assertThat(SqliteNativeLibrary.copyInto(dir)).isEqualTo(library);

        assertThat(Files.getLastModifiedTime(library)).isEqualTo(written);
    }

    @Test
    void aStoreOpensWithTheLibraryLoadedFromACopy() {
        // Whichever store of this JVM opened first chose the copy; this one opens with the library loaded.
        try (SqliteStore store = SqliteStore.open(dir.resolve("db").resolve("state.db"))) {
            assertThat(System.getProperty("org.sqlite.lib.path")).isNotNull();
            assertThat(System.getProperty("org.sqlite.lib.name")).isEqualTo(LibraryLoaderUtil.getNativeLibName());
            assertThat(store.file()).exists();
        }
    }
}
