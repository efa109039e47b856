package io.kybern.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Collects the results of the store scenarios and prints them: a table per scenario with each backend and
 * the ratio of the first backend to the second, then one line of figures per backend, then the summary.
 */
final class Report {

    private static final int LABEL_WIDTH = 20;
    private static final int COLUMN_WIDTH = 13;

    private final List<String> backends;
    private final Map<String, Map<String, Result>> results = new LinkedHashMap<>();

    /** @param backends the backends in column order; the first is the subject, the second its peer */
    Report(List<String> backends) {
        this.backends = List.copyOf(backends);
    }

    void add(Scenario scenario, String backend, Result result) {
        results.computeIfAbsent(scenario.name(), name -> new LinkedHashMap<>()).put(backend, result);
    }

    /** The ratio column's heading, such as {@code sqlite/etcd}; null with a single backend. */
    private String ratioHeading() {
        return backends.size() < 2 ? null : backends.get(0) + "/" + backends.get(1);
    }

    void printTable(PrintWriter out, Scenario scenario, String measuredHow) {
        Map<String, Result> byBackend = results.getOrDefault(scenario.name(), Map.of());
        out.println();
        out.println(scenario.name() + ": " + scenario.description());
        out.println("  (" + measuredHow + ")");
        List<String> heading = new ArrayList<>(backends);
        if (ratioHeading() != null) {
            heading.add(ratioHeading());
        }
        out.println(row("", heading));
        printRow(out, scenario.throughputLabel(), byBackend, Result::throughput, Numbers::figure, true);
        printRow(out, "p50 ms", byBackend, Result::p50Ms, Numbers::millis, true);
        printRow(out, "p99 ms", byBackend, Result::p99Ms, Numbers::millis, true);
        List<String> extras = byBackend.values().stream().flatMap(r -> r.extras().keySet().stream()).distinct().toList();
        for (String extra : extras) {
            printRow(out, extra, byBackend, r -> r.extras().getOrDefault(extra, Double.NaN), Numbers::figure, false);
        }
        out.flush();
    }

    private void printRow(PrintWriter out, String label, Map<String, Result> byBackend,
                          ToDoubleFunction<Result> figure, DoubleFunction<String> format, boolean withRatio) {
        List<String> cells = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String backend : backends) {
            Result result = byBackend.get(backend);
            double value = result == null ? Double.NaN : figure.applyAsDouble(result);
            values.add(value);
            cells.add(format.apply(value));
        }
        if (ratioHeading() != null) {
            cells.add(withRatio ? Numbers.fixed2(Numbers.ratio(values.get(0), values.get(1))) : "-");
        }
        out.println(row(label, cells));
    }

    /** One table row: the label, then each cell right-aligned in its column; shared by every benchmark table. */
    static String row(String label, List<String> cells) {
        StringBuilder line = new StringBuilder("  ").append(pad(label, LABEL_WIDTH, false));
        for (String cell : cells) {
            line.append(pad(cell, COLUMN_WIDTH, true));
        }
        return line.toString().stripTrailing();
    }

    private static String pad(String text, int width, boolean right) {
        String spaces = " ".repeat(Math.max(1, width - text.length()));
        return right ? spaces + text : text + spaces;
    }

    /** {@code store-<backend>: name_ops=.. name_p99_ms=.. ...}: every figure of one backend on one line. */
    String backendLine(String backend) {
        StringBuilder line = new StringBuilder("store-" + backend + ":");
        results.forEach((scenario, byBackend) -> {
            Result result = byBackend.get(backend);
            if (result == null) {
                return;
            }
            line.append(' ').append(scenario).append("_ops=").append(Numbers.figure(result.throughput()));
            line.append(' ').append(scenario).append("_p50_ms=").append(Numbers.fixed2(result.p50Ms()));
            line.append(' ').append(scenario).append("_p99_ms=").append(Numbers.fixed2(result.p99Ms()));
        });
        return line.toString();
    }

    /**
     * The summary line, with the subject backend's figures and subject/peer throughput ratios:
     * {@code store: write1_ops=.. write16_ops=.. write16_ratio=.. write16_p99_ms=.. cas16_ratio=..
     * range10k_ms=.. watch_p99_ms=..}.
     */
    String summaryLine(String write1, String writeN, String casN, String range, String watch) {
        String subject = backends.get(0);
        return "store:"
                + " " + write1 + "_ops=" + Numbers.whole(figure(write1, subject, Result::throughput))
                + " " + writeN + "_ops=" + Numbers.whole(figure(writeN, subject, Result::throughput))
                + " " + writeN + "_ratio=" + Numbers.fixed2(throughputRatio(writeN))
                + " " + writeN + "_p99_ms=" + Numbers.fixed2(figure(writeN, subject, Result::p99Ms))
                + " " + casN + "_ratio=" + Numbers.fixed2(throughputRatio(casN))
                + " " + range + "_ms=" + Numbers.fixed2(figure(range, subject, Result::p50Ms))
                + " " + watch + "_p99_ms=" + Numbers.fixed2(figure(watch, subject, Result::p99Ms));
    }

    private double throughputRatio(String scenario) {
        if (backends.size() < 2) {
            return Double.NaN;
        }
        return Numbers.ratio(figure(scenario, backends.get(0), Result::throughput),
                figure(scenario, backends.get(1), Result::throughput));
    }

    private double figure(String scenario, String backend, ToDoubleFunction<Result> figure) {
        Result result = results.getOrDefault(scenario, Map.of()).get(backend);
        return result == null ? Double.NaN : figure.applyAsDouble(result);
    }
}
