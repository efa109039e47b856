package io.kybern.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The backends of one run, opened fresh in a work directory and closed together, also when the run is
 * interrupted: a benchmark must not leave an etcd process or a database in the temp directory behind.
 */
final class Backends implements AutoCloseable {

    /** The names {@code --backends} accepts. */
    static final List<String> NAMES = List.of("sqlite", "etcd", "memory");

    private final Path workDir;
    private final boolean keepFiles;
    private final List<BenchBackend> opened = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::closeAll, "bench-shutdown");

    private Backends(Path workDir, boolean keepFiles) {
        this.workDir = workDir;
        this.keepFiles = keepFiles;
    }

    /** Opens the named backends with their files under {@code workDir}, which closing deletes unless kept. */
    static Backends open(List<String> names, Path workDir, boolean keepFiles, Progress progress) {
        Backends backends = new Backends(workDir, keepFiles);
        Runtime.getRuntime().addShutdownHook(backends.shutdownHook);
        try {
            for (String name : names) {
                progress.line("starting " + name + "...");
                backends.opened.add(openOne(name, workDir.resolve(name)));
            }
        } catch (RuntimeException e) {
            backends.close();
            throw e;
        }
        return backends;
    }

    private static BenchBackend openOne(String name, Path dir) {
        return switch (name) {
            case "sqlite" -> SqliteBackend.open(dir);
            case "etcd" -> EtcdBackend.start();
            case "memory" -> new MemoryBackend();
            default -> throw new IllegalArgumentException("unknown backend " + name + "; known: " + NAMES);
        };
    }

    List<BenchBackend> list() {
        return List.copyOf(opened);
    }

    @Override
    public void close() {
        closeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run; nothing to remove
        }
    }

    private void closeAll() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (BenchBackend backend : opened.reversed()) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                System.err.println("closing " + backend.name() + " failed: " + e);
            }
        }
        if (keepFiles) {
            System.err.println("kept the run's files in " + workDir);
        } else {
            DiskUsage.deleteTree(workDir);
        }
    }
}
