package io.kybern.api.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The structured label selector of objects ({@code matchLabels} and {@code matchExpressions}, as in a
 * Deployment's {@code spec.selector}) in its text form, which is what Scale's {@code status.selector},
 * kubectl's SELECTOR column and {@code ?labelSelector=} use.
 */
public final class LabelSelectors {

    private LabelSelectors() {
    }

    /**
     * {@code k=v} and expressions ({@code k in (a,b)}, {@code k notin (a)}, {@code k}, {@code !k}), sorted by
     * key as Kubernetes writes them; empty for an absent or empty selector (which selects everything).
     */
    public static String toText(JsonNode selector) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return "";
        }
        Map<String, List<String>> byKey = new TreeMap<>();
        selector.path("matchLabels").properties().forEach(e -> byKey.computeIfAbsent(e.getKey(),
                k -> new ArrayList<>()).add(e.getKey() + "=" + e.getValue().asString("")));
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asString("");
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asString("")));
            values.sort(null);
            String term = switch (expression.path("operator").asString("")) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "DoesNotExist" -> "!" + key;
                default -> key;
            };
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(term);
        }
        return byKey.values().stream().flatMap(List::stream).collect(Collectors.joining(","));
    }

    /** The selector as one that can match labels; an absent or empty one matches everything. */
    public static LabelSelector of(JsonNode selector) {
        String text = toText(selector);
        return text.isEmpty() ? LabelSelector.EVERYTHING : LabelSelector.parse(text);
    }

    /** A ReplicationController's or Service's selector: a plain map of labels. */
    public static String mapToText(JsonNode labels) {
        Map<String, String> sorted = new TreeMap<>();
        labels.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asString("")));
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
