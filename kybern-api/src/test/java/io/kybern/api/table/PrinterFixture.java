package io.kybern.api.table;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Prints one object written in single-quoted JSON, at a fixed time, for printer tests. */
final class PrinterFixture {

    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    /** A creation time 45 seconds before {@link #NOW}. */
    static final String CREATED = "'creationTimestamp':'2026-11-22T11:59:15Z'";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PrinterFixture() {
    }

    static List<Object> cells(String group, String resource, String json) {
        JsonNode object = JSON.readTree(json.replace('\'', '"'));
        return Printers.forResource(group, resource).cells(new PrintedObject(object, NOW));
    }

    static List<String> columns(String group, String resource) {
        return Printers.forResource(group, resource).columns().stream().map(TableColumn::name).toList();
    }

    /** The columns shown only with {@code -o wide}. */
    static List<String> wideColumns(String group, String resource) {
        return Printers.forResource(group, resource).columns().stream().filter(c -> c.priority() == 1)
                .map(TableColumn::name).toList();
    }
}
