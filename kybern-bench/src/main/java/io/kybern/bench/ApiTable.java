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

    private static final int LABEL_WIDTH = 20;
    private static final int COLUMN_WIDTH = 13;

    void print(PrintWriter out, List<String> peers, Map<String, Result> byPeer) {
        out.println();
        out.println(name + ": " + description);
        out.println("  (" + measuredHow + ")");
        out.println(row("", heading(peers)));
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
        out.println(row("", heading(peers)));
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
            out.println(row(figure.equals("ready_s") ? "ready s" : "rss MB", cells));
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
        out.println(row(label, cells));
    }

    private static String row(String label, List<String> cells) {
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
}
