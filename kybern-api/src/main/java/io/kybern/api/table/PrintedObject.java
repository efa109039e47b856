package io.kybern.api.table;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * One object being printed, with the clock its ages are measured against and the small readings
 * every printer needs (timestamps, counts, label maps), so printers state only what their cells mean.
 */
public record PrintedObject(JsonNode object, Instant now) {

    public JsonNode path(String... fields) {
        JsonNode node = object;
        for (String field : fields) {
            node = node.path(field);
        }
        return node;
    }

    public String text(String... fields) {
        return path(fields).asString("");
    }

    /** The text, or {@code <none>} when empty, as Kubernetes prints absent values. */
    public String textOrNone(String... fields) {
        return orNone(text(fields));
    }

    public long number(String... fields) {
        return path(fields).asLong(0);
    }

    public long count(String... fields) {
        return path(fields).size();
    }

    public String name() {
        return text("metadata", "name");
    }

    public String age() {
        return HumanDuration.since(timestamp(path("metadata", "creationTimestamp")), now);
    }

    public boolean deleting() {
        return !text("metadata", "deletionTimestamp").isEmpty();
    }

    /** The age of a timestamp field, or {@code <unknown>} when unset. */
    public String since(JsonNode timestamp) {
        return HumanDuration.since(timestamp(timestamp), now);
    }

    static Instant timestamp(JsonNode node) {
        String text = node.asString("");
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String orNone(String text) {
        return text.isEmpty() ? "<none>" : text;
    }

    /** A label map as {@code labels.FormatLabels} prints it: sorted {@code k=v} pairs, or {@code <none>}. */
    static String labels(JsonNode map) {
        Map<String, String> sorted = new TreeMap<>();
        map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asString("")));
        if (sorted.isEmpty()) {
            return "<none>";
        }
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The strings of an array, in order. */
    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(element -> values.add(element.asString("")));
        return values;
    }

    /** One field of every element of an array, in order. */
    static List<String> each(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        for (JsonNode element : array) {
            values.add(element.path(field).asString(""));
        }
        return values;
    }
}
