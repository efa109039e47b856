package io.kybern.api.table;

import io.kybern.api.resource.GroupVersionKind;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Builds {@code meta.k8s.io} Table documents from objects and lists. */
public final class Tables {

    private static final JsonNodeFactory NODES = JsonMapper.builder().build().getNodeFactory();

    private final ObjectPrinter printer;
    private final String apiVersion;
    private final IncludeObject include;
    private final GroupVersionKind objectKind;
    private final Instant now;

    /**
     * @param apiVersion {@code meta.k8s.io/v1} or {@code meta.k8s.io/v1beta1}, as the client asked
     * @param objectKind what the printed objects are, stamped on whole objects in rows
     * @param now        the time ages are measured against
     */
    public Tables(ObjectPrinter printer, String apiVersion, IncludeObject include, GroupVersionKind objectKind,
            Instant now) {
        this.printer = printer;
        this.apiVersion = apiVersion;
        this.include = include;
        this.objectKind = objectKind;
        this.now = now;
    }

    /** The same tables, with ages measured at another time. */
    public Tables at(Instant time) {
        return new Tables(printer, apiVersion, include, objectKind, time);
    }

    /** The table of a list: its rows in order, with the list's resourceVersion, continue and remaining count. */
    public ObjectNode ofList(ObjectNode list) {
        ObjectNode table = header(true);
        JsonNode listMeta = list.path("metadata");
        ObjectNode metadata = (ObjectNode) table.get("metadata");
        copyText(listMeta, metadata, "resourceVersion");
        copyText(listMeta, metadata, "continue");
        if (listMeta.has("remainingItemCount")) {
            metadata.set("remainingItemCount", listMeta.get("remainingItemCount"));
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : list.path("items")) {
            rows.add(row((ObjectNode) item));
        }
        return table;
    }

    /**
     * The one-row table of a single object.
     *
     * @param withColumns whether to describe the columns; watches send them only with their first event
     */
    public ObjectNode ofObject(ObjectNode object, boolean withColumns) {
        ObjectNode table = header(withColumns);
        copyText(object.path("metadata"), (ObjectNode) table.get("metadata"), "resourceVersion");
        table.putArray("rows").add(row(object));
        return table;
    }

    private ObjectNode header(boolean withColumns) {
        ObjectNode table = NODES.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", apiVersion);
        table.putObject("metadata");
        if (withColumns) {
            ArrayNode columns = table.putArray("columnDefinitions");
            for (TableColumn column : printer.columns()) {
                ObjectNode definition = columns.addObject();
                definition.put("name", column.name());
                definition.put("type", column.type());
                definition.put("format", column.format());
                definition.put("description", column.description());
                definition.put("priority", column.priority());
            }
        } else {
            // Kubernetes encodes the absent definitions as null, and kubectl keeps the ones it has.
            table.putNull("columnDefinitions");
        }
        return table;
    }

    private ObjectNode row(ObjectNode object) {
        ObjectNode row = NODES.objectNode();
        ArrayNode cells = row.putArray("cells");
        PrintedObject printed = new PrintedObject(object, now);
        for (Object cell : printer.cells(printed)) {
            switch (cell) {
                case null -> cells.addNull();
                case Long l -> cells.add(l);
                case Integer i -> cells.add(i.longValue());
                case Double d -> cells.add(d);
                case Boolean b -> cells.add(b);
                default -> cells.add(cell.toString());
            }
        }
        List<RowCondition> conditions = printer.conditions(printed);
        if (!conditions.isEmpty()) {
            ArrayNode array = row.putArray("conditions");
            for (RowCondition condition : conditions) {
                array.addObject().put("type", condition.type()).put("status", condition.status())
                        .put("reason", condition.reason()).put("message", condition.message());
            }
        }
        switch (include) {
            case NONE -> { }
            case OBJECT -> row.set("object", withKind(object));
            case METADATA -> {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", apiVersion);
                partial.set("metadata", object.path("metadata").isObject() ? object.get("metadata")
                        : NODES.objectNode());
            }
            default -> throw new IllegalStateException(include.name());
        }
        return row;
    }

    /**
     * The object with its apiVersion and kind first. Items of lists carry neither, but a row's object
     * stands alone: kubectl decodes it by its kind to sort rows ({@code --sort-by}).
     */
    private ObjectNode withKind(ObjectNode object) {
        ObjectNode whole = NODES.objectNode();
        whole.put("apiVersion", objectKind.groupVersion().apiVersion());
        whole.put("kind", objectKind.kind());
        object.properties().forEach(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                whole.set(e.getKey(), e.getValue());
            }
        });
        return whole;
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        String value = from.path(field).asString("");
        if (!value.isEmpty()) {
            to.put(field, value);
        }
    }

    /** The column names, for tests and logs. */
    public List<String> columnNames() {
        return printer.columns().stream().map(TableColumn::name).toList();
    }
}
