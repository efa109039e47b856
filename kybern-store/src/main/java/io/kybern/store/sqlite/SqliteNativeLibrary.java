package io.kybern.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

/**
 * Where SQLite's native library is loaded from: a copy kept beside the database, extracted from sqlite-jdbc's jar
 * the first time a store of that sqlite-jdbc version opens there.
 *
 * <p>Why: left to itself, sqlite-jdbc extracts its 1.1 MB library into the temporary directory at every start,
 * under a new name, and deletes it at a normal exit only. Each start paid the copy (a few hundred milliseconds on a
 * busy machine), and each process that was killed left its copy behind: a test machine's {@code /tmp} held 1,242
 * of them. sqlite-jdbc loads from a directory of our choosing when told through its {@code org.sqlite.lib.path}
 * and {@code org.sqlite.lib.name} properties; this only makes sure the file is there first.
 *
 * <p>The copy is written under a temporary name and moved into place, so a reader never sees a partial one. The
 * properties are the JVM's: the first store to open decides, and an operator's own setting is left alone.
 */
final class SqliteNativeLibrary {

    private static final Logger log = LoggerFactory.getLogger(SqliteNativeLibrary.class);

    private SqliteNativeLibrary() {
    }

    /** Points sqlite-jdbc at its library in {@code dir} (made if missing), unless a library is chosen already. */
    static synchronized void useCopyIn(Path dir) {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return;
        }
        Path library;
        try {
            library = copyInto(dir);
        } catch (IOException e) {
            // A read-only directory, say: sqlite-jdbc extracts into the temporary directory as before.
            log.warn("SQLite's native library not copied dir={} error={}", dir, e.getMessage());
            return;
        }
        if (library != null) {
            System.setProperty("org.sqlite.lib.path", library.getParent().toString());
            System.setProperty("org.sqlite.lib.name", library.getFileName().toString());
        }
    }

    /**
     * The library's copy in {@code dir}, in a folder named by sqlite-jdbc's version and the platform, written if it
     * is not there yet; null when the jar has no library for this platform (sqlite-jdbc's own search decides).
     */
    static Path copyInto(Path dir) throws IOException {
        String name = LibraryLoaderUtil.getNativeLibName();
        String platform = OSInfo.getNativeLibFolderPathForCurrentOS();
        Path library = dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + platform.replace('/', '-'))
                .resolve(name);
        if (Files.isRegularFile(library)) {
            return library;
        }
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(
                LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name)) {
            if (in == null) {
                return null;
            }
            Files.createDirectories(library.getParent());
            Path partial = Files.createTempFile(library.getParent(), name, ".partial");
            try {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return library;
    }
}
