package io.kybern.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File and directory sizes, tolerant of files that come and go while being measured. */
final class DiskUsage {

    private DiskUsage() {
    }

    /** The total size of the files that exist among {@code files}. */
    static long ofFiles(Path... files) {
        long total = 0;
        for (Path file : files) {
            total += sizeOrZero(file);
        }
        return total;
    }

    /** The total size of every regular file under {@code dir}. */
    static long ofTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.mapToLong(DiskUsage::sizeOrZero).sum();
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            // Deleted between listing and measuring (a rotated WAL segment, a checkpointed -wal).
            return 0;
        }
    }

    /** Deletes a directory tree, best effort: a leftover temp file must not fail a finished benchmark. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort, see above
                }
            });
        } catch (IOException ignored) {
            // best effort, see above
        }
    }

    static String megabytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}
