package io.kybern.bench;

/** Helpers the scenarios share. */
final class Scenarios {

    private Scenarios() {
    }

    /** Says on stderr that operations failed, and how, since the figures then cover fewer operations. */
    static void reportErrors(Progress progress, BenchBackend backend, Scenario scenario,
                             ClosedLoop.Measurement measurement) {
        if (measurement.errors() > 0) {
            progress.line("[" + backend.name() + "] " + scenario.name() + ": " + measurement.errors()
                    + " operations failed; first: " + measurement.firstError());
        }
    }
}
