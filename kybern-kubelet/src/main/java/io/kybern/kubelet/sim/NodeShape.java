package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What every simulated node of one set looks like: its capacity (also its allocatable: nothing is
 * reserved for system daemons that do not exist), extra labels and taints.
 *
 * @param cpu    CPU capacity, a quantity ("4", "3500m")
 * @param memory memory capacity, a quantity ("16Gi")
 * @param pods   how many pods the node takes
 * @param labels labels besides the ones every node gets
 * @param taints taints the node registers with
 */
public record NodeShape(String cpu, String memory, int pods, Map<String, String> labels, List<Taint> taints) {

    public static final String DEFAULT_CPU = "4";
    public static final String DEFAULT_MEMORY = "16Gi";
    /** kubelet's default --max-pods. */
    public static final int DEFAULT_PODS = 110;

    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    public NodeShape {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(memory, "memory");
        if (pods < 1) {
            throw new IllegalArgumentException("a node takes at least one pod: " + pods);
        }
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
    }

    /** 4 CPUs, 16Gi of memory, 110 pods, no extra labels or taints. */
    public static NodeShape defaults() {
        return new NodeShape(DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PODS, Map.of(), List.of());
    }

    /** Labels written as kubectl's {@code k=v,k2=v2}; empty text for none. */
    public static Map<String, String> parseLabels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : items(text)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a label is key=value: " + pair);
            }
            labels.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return labels;
    }

    /** Taints written as kubectl taint's {@code key=value:Effect} or {@code key:Effect}, comma-separated. */
    public static List<Taint> parseTaints(String text) {
        List<Taint> taints = new ArrayList<>();
        for (String item : items(text)) {
            int colon = item.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a taint is key[=value]:Effect: " + item);
            }
            String effect = item.substring(colon + 1);
            if (!EFFECTS.contains(effect)) {
                throw new IllegalArgumentException("a taint's effect is one of " + EFFECTS + ": " + item);
            }
            String keyValue = item.substring(0, colon);
            int eq = keyValue.indexOf('=');
            TaintBuilder taint = new TaintBuilder().withEffect(effect)
                    .withKey(eq < 0 ? keyValue : keyValue.substring(0, eq));
            if (eq >= 0) {
                taint.withValue(keyValue.substring(eq + 1));
            }
            taints.add(taint.build());
        }
        return taints;
    }

    private static List<String> items(String text) {
        List<String> items = new ArrayList<>();
        if (text == null) {
            return items;
        }
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return items;
    }
}
