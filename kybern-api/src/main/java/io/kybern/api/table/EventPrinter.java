package io.kybern.api.table;

import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Events: when, what and why first; where they came from, counts and the event's own name only with
 * {@code -o wide}. Events written by the newer events API carry an event time and a series instead of
 * timestamps and a count, and are printed from those.
 */
final class EventPrinter {

    /** The fields of {@code events.k8s.io} events that the core form names differently. */
    private static final Map<String, String> CORE_FIELDS = Map.of(
            "note", "message",
            "regarding", "involvedObject",
            "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp",
            "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count",
            "reportingController", "reportingComponent");

    private EventPrinter() {
    }

    static ObjectPrinter create() {
        return ObjectPrinter.builderWithoutName()
                .column(TableColumn.string("Last Seen", "The time at which the most recent occurrence of this "
                        + "event was recorded."), EventPrinter::lastSeen)
                .column(TableColumn.string("Type", "Type of this event (Normal, Warning)."), o -> o.text("type"))
                .column(TableColumn.string("Reason", "A short, machine understandable string that gives the "
                        + "reason for the transition into the object's current status."), o -> o.text("reason"))
                .column(TableColumn.string("Object", "The object that this event is about."), EventPrinter::target)
                .column(TableColumn.string("Subobject", "The field of the object the event is about.").wide(),
                        o -> o.text("involvedObject", "fieldPath"))
                .column(TableColumn.string("Source", "The component reporting this event.").wide(),
                        EventPrinter::source)
                .column(TableColumn.string("Message", "A human-readable description of the status of this "
                        + "operation."), o -> o.text("message").strip())
                .column(TableColumn.string("First Seen", "The time at which the event was first recorded.").wide(),
                        EventPrinter::firstSeen)
                .column(TableColumn.string("Count", "The number of times this event has occurred.").wide(),
                        EventPrinter::count)
                .column(TableColumn.nameColumn().wide(), PrintedObject::name)
                .build();
    }

    /**
     * Events of {@code events.k8s.io}, printed as their core form: Kubernetes converts them to that form
     * before printing, so the same columns read renamed fields (the note is the message, the regarded
     * object the involved one, the deprecated timestamps and count the core ones).
     */
    static ObjectPrinter eventsApi() {
        return create().readingThrough(EventPrinter::asCoreEvent);
    }

    private static PrintedObject asCoreEvent(PrintedObject event) {
        ObjectNode core = JsonNodeFactory.instance.objectNode();
        event.object().properties().forEach(field ->
                core.set(CORE_FIELDS.getOrDefault(field.getKey(), field.getKey()), field.getValue()));
        return new PrintedObject(core, event.now());
    }

    private static String firstSeen(PrintedObject event) {
        if (!event.text("firstTimestamp").isEmpty()) {
            return event.since(event.path("firstTimestamp"));
        }
        return event.since(event.path("eventTime"));
    }

    private static String lastSeen(PrintedObject event) {
        if (event.path("series").isObject()) {
            return event.since(event.path("series", "lastObservedTime"));
        }
        if (!event.text("lastTimestamp").isEmpty()) {
            return event.since(event.path("lastTimestamp"));
        }
        return firstSeen(event);
    }

    private static long count(PrintedObject event) {
        if (event.path("series").isObject()) {
            return event.number("series", "count");
        }
        long count = event.number("count");
        return count == 0 ? 1 : count; // singleton events of the newer API have no count
    }

    private static String target(PrintedObject event) {
        String kind = event.text("involvedObject", "kind").toLowerCase(Locale.ROOT);
        String name = event.text("involvedObject", "name");
        return name.isEmpty() ? kind : kind + "/" + name;
    }

    private static String source(PrintedObject event) {
        String component = firstNonEmpty(event.text("source", "component"), event.text("reportingComponent"));
        String instance = firstNonEmpty(event.text("source", "host"), event.text("reportingInstance"));
        return instance.isEmpty() ? component : component + ", " + instance;
    }

    private static String firstNonEmpty(String first, String second) {
        return first.isEmpty() ? second : first;
    }
}
