package io.kybern.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * One scenario's table of the api benchmark: a column per server and the ratio of the first to the
 * second (for throughput higher is better for the first, for latency and memory lower is).
 */
record ApiTable(String name, String description, String measuredHow, String throughputLabel) {

    void print(PrintWriter out, List<String> peers, Map<String, Result> byPeer) {
        out.println();
        out.println(name + ": " + description);
        out.println("  (" + measuredHow + ")");
        out.println(Report.row("", heading(peers)));
        printRow(out, peers, throughputLabel, byPeer, Result::throughput, Numbers::figure, true);
        printRow(out, peers, "p50 ms", byPeer, Result::p50Ms, Numbers::millis, true);
        printRow(out, peers, "p99 ms", byPeer, Result::p99Ms, Numbers::millis, true);
        List<String> extras = byPeer.values().stream().flatMap(r -> r.extras().keySet().stream()).distinct().toList();
        for (String extra : extras) {
            boolean ratio = extra.endsWith("ms") || extra.endsWith("MB");
            printRow(out, peers, extra, byPeer, r -> r.extras().getOrDefault(extra, Double.NaN), Numbers::figure,
                    ratio);
        }
        out.flush();
    }

    static void printStartAndMemory(PrintWriter out, List<String> peers, Map<String, Map<String, Double>> figures) {
        out.println();
        out.println("process: JVM launch -> first good answer (Kybern: /readyz), and resident memory (VmRSS)"
                + " after the pods were loaded");
        out.println(Report.row("", heading(peers)));
        for (String figure : List.of("ready_s", "rss10k_mb")) {
            List<String> cells = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (String peer : peers) {
                double value = figures.get(peer).getOrDefault(figure, Double.NaN);
                values.add(value);
                cells.add(Numbers.figure(value));
            }
            if (peers.size() > 1) {
                cells.add(Numbers.fixed2(Numbers.ratio(values.get(0), values.get(1))));
            }
            out.println(Report.row(figure.equals("ready_s") ? "ready s" : "rss MB", cells));
        }
        out.flush();
    }

    private static List<String> heading(List<String> peers) {
        List<String> heading = new ArrayList<>(peers);
        if (peers.size() > 1) {
            heading.add(peers.get(0) + "/" + peers.get(1));
        }
        return heading;
    }

    private static void printRow(PrintWriter out, List<String> peers, String label, Map<String, Result> byPeer,
            ToDoubleFunction<Result> figure, DoubleFunction<String> format, boolean withRatio) {
        List<String> cells = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String peer : peers) {
            Result result = byPeer.get(peer);
            double value = result == null ? Double.NaN : figure.applyAsDouble(result);
            values.add(value);
            cells.add(format.apply(value));
        }
        if (peers.size() > 1) {
            cells.add(withRatio ? Numbers.fixed2(Numbers.ratio(values.get(0), values.get(1))) : "-");
        }
        out.println(Report.row(label, cells));
    }
}
