package io.kybern.bench;

import io.kybern.store.Store;

/** A store under test, with what it takes to run it and to measure its footprint on disk. */
interface BenchBackend extends AutoCloseable {

    /** The name used in tables and summary lines: {@code sqlite}, {@code etcd}, {@code memory}. */
    String name();

    Store store();

    /** The bytes this backend keeps on disk now, or -1 when it keeps nothing there. */
    long diskBytes();

    /** Where those bytes are, when that helps to read a size (such as database against log); may be empty. */
    default String diskBreakdown() {
        return "";
    }

    /** Closes the store and whatever runs it, deleting its files unless they are to be kept. */
    @Override
    void close();
}
