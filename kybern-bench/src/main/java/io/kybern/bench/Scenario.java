package io.kybern.bench;

/** One measurement, run the same way against each backend. */
interface Scenario {

    /** The name in tables and summary lines, such as {@code write16}. */
    String name();

    /** One line saying what is measured. */
    String description();

    /** What the throughput row counts, such as {@code creates/s}. */
    String throughputLabel();

    Result run(BenchBackend backend, Progress progress) throws Exception;
}
