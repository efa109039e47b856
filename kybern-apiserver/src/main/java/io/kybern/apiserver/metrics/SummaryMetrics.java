package io.kybern.apiserver.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A node agent's {@code /stats/summary} turned into NodeMetrics and PodMetrics as metrics-server turns it: CPU is
 * the rate in nanocores, memory the working set in bytes. A node or a pod without both figures is left out (a
 * container whose CPU rate is not known yet takes its pod out), as metrics-server skips incomplete points
 * rather than report a zero.
 */
final class SummaryMetrics {

    static final String API_VERSION = "metrics.k8s.io/v1beta1";
    /**
     * The period a CPU rate is averaged over: the agent samples every 10 s (kubelet's housekeeping interval),
     * and a rate covers the time since the previous sample.
     */
    static final Duration WINDOW = Duration.ofSeconds(10);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] BINARY_SUFFIXES = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private SummaryMetrics() {
    }

    /**
     * @param node the Node object (its name and labels)
     */
    static Optional<ObjectNode> nodeMetrics(JsonNode node, JsonNode summary) {
        JsonNode stats = summary.path("node");
        Optional<Usage> usage = usage(stats);
        if (usage.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode metrics = object("NodeMetrics", node.path("metadata").path("name").asString(""), null,
                node.path("metadata").path("labels"), usage.get().time());
        metrics.set("usage", usage.get().json());
        return Optional.of(metrics);
    }

    /**
     * The PodMetrics of the pods in {@code summary}; a pod's labels come from {@code labelsOf} (its object in
     * storage), and a pod it does not know (deleted since, or recreated under a new UID) is left out.
     */
    static List<ObjectNode> podMetrics(JsonNode summary, PodLabels labelsOf) {
        List<ObjectNode> all = new ArrayList<>();
        for (JsonNode pod : summary.path("pods")) {
            JsonNode ref = pod.path("podRef");
            Optional<JsonNode> labels = labelsOf.labels(ref.path("namespace").asString(""),
                    ref.path("name").asString(""), ref.path("uid").asString(""));
            if (labels.isEmpty() || pod.path("containers").isEmpty()) {
                continue;
            }
            List<ObjectNode> containers = new ArrayList<>();
            String latest = "";
            for (JsonNode container : pod.path("containers")) {
                Optional<Usage> usage = usage(container);
                if (usage.isEmpty()) {
                    containers = null;
                    break;
                }
                ObjectNode metrics = JSON.createObjectNode();
                metrics.put("name", container.path("name").asString(""));
                metrics.set("usage", usage.get().json());
                containers.add(metrics);
                latest = usage.get().time().compareTo(latest) > 0 ? usage.get().time() : latest;
            }
            if (containers == null) {
                continue;
            }
            ObjectNode metrics = object("PodMetrics", ref.path("name").asString(""), ref.path("namespace").asString(""),
                    labels.get(), latest);
            metrics.putArray("containers").addAll(containers);
            all.add(metrics);
        }
        return all;
    }

    /** Finds a pod's labels by namespace, name and UID; empty when no such pod exists. */
    @FunctionalInterface
    interface PodLabels {
        Optional<JsonNode> labels(String namespace, String name, String uid);
    }

    private record Usage(String time, long nanoCores, long workingSetBytes) {
        ObjectNode json() {
            ObjectNode usage = JSON.createObjectNode();
            usage.put("cpu", nanoCores + "n");
            usage.put("memory", binaryBytes(workingSetBytes));
            return usage;
        }
    }

    private static Optional<Usage> usage(JsonNode stats) {
        JsonNode cpu = stats.path("cpu");
        JsonNode memory = stats.path("memory");
        if (!cpu.path("usageNanoCores").isNumber() || !memory.path("workingSetBytes").isNumber()) {
            return Optional.empty();
        }
        String cpuTime = cpu.path("time").asString("");
        String memoryTime = memory.path("time").asString("");
        return Optional.of(new Usage(cpuTime.compareTo(memoryTime) >= 0 ? cpuTime : memoryTime,
                cpu.path("usageNanoCores").asLong(), memory.path("workingSetBytes").asLong()));
    }

    private static ObjectNode object(String kind, String name, String namespace, JsonNode labels, String time) {
        ObjectNode object = JSON.createObjectNode();
        object.put("kind", kind);
        object.put("apiVersion", API_VERSION);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("creationTimestamp", time);
        if (labels != null && labels.isObject() && !labels.isEmpty()) {
            metadata.set("labels", labels.deepCopy());
        }
        object.put("timestamp", time);
        object.put("window", WINDOW.toSeconds() + "s");
        return object;
    }

    /** Bytes as a Kubernetes binary-SI quantity in its canonical form: the largest exact suffix, or plain. */
    static String binaryBytes(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        long value = bytes;
        int suffix = -1;
        while (value % 1024 == 0 && suffix + 1 < BINARY_SUFFIXES.length) {
            value /= 1024;
            suffix++;
        }
        return suffix < 0 ? Long.toString(value) : value + BINARY_SUFFIXES[suffix];
    }
}
