package io.kybern.api.patch.apply;

import io.kybern.api.patch.strategic.PatchSchema;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes {@code metadata.managedFields}, and keeps it up to date for ordinary writes
 * (create, update, patch): the writer takes ownership of every field it changed, from whoever owned it
 * before, as Kubernetes' field manager does for {@code Update} operations.
 *
 * <p>Stateless; safe from any thread.
 */
public final class ManagedFields {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ManagedFields() {
    }

    /** The entries of an object's managedFields, empty when it has none. */
    public static List<ManagedFieldsEntry> read(JsonNode object) {
        List<ManagedFieldsEntry> entries = new ArrayList<>();
        JsonNode managed = object == null ? null : object.path("metadata").get("managedFields");
        if (managed == null || !managed.isArray()) {
            return entries;
        }
        for (JsonNode entry : managed) {
            Set<FieldPath> fields = new LinkedHashSet<>();
            JsonNode v1 = entry.get("fieldsV1");
            if (v1 != null && v1.isObject()) {
                readTree(v1, FieldPath.ROOT, fields);
            }
            entries.add(new ManagedFieldsEntry(entry.path("manager").asString(""),
                    entry.path("operation").asString(""), entry.path("apiVersion").asString(""),
                    entry.path("time").asString(""), entry.path("subresource").asString(""), fields));
        }
        return entries;
    }

    private static void readTree(JsonNode node, FieldPath path, Set<FieldPath> out) {
        if (!node.isObject() || node.isEmpty()) {
            if (!path.isRoot()) {
                out.add(path);
            }
            return;
        }
        for (Map.Entry<String, JsonNode> child : node.properties()) {
            if (child.getKey().equals(".")) {
                out.add(path);
            } else if (validElement(child.getKey())) {
                readTree(child.getValue(), path.child(child.getKey()), out);
            }
            // Elements that are not FieldsV1 (clients may send anything) own nothing.
        }
    }

    /** A {@code FieldsV1} path element: {@code f:name}, {@code k:{json object}}, {@code v:json}, {@code i:n}. */
    private static boolean validElement(String element) {
        if (element.length() < 2 || element.charAt(1) != ':') {
            return false;
        }
        String rest = element.substring(2);
        try {
            return switch (element.charAt(0)) {
                case 'f' -> !rest.isEmpty();
                case 'k' -> JSON.readTree(rest).isObject();
                case 'v' -> !JSON.readTree(rest).isMissingNode();
                case 'i' -> rest.matches("[0-9]+");
                default -> false;
            };
        } catch (JacksonException e) {
            return false;
        }
    }

    /** Writes the entries into the object's metadata; no entries, no managedFields. */
    public static void write(ObjectNode object, List<ManagedFieldsEntry> entries) {
        ObjectNode metadata = object.has("metadata") && object.get("metadata").isObject()
                ? (ObjectNode) object.get("metadata") : object.putObject("metadata");
        if (entries.isEmpty()) {
            metadata.remove("managedFields");
            return;
        }
        ArrayNode list = NODES.arrayNode();
        for (ManagedFieldsEntry entry : entries) {
            ObjectNode json = list.addObject();
            json.put("manager", entry.manager());
            json.put("operation", entry.operation());
            json.put("apiVersion", entry.apiVersion());
            json.put("time", entry.time());
            json.put("fieldsType", "FieldsV1");
            json.set("fieldsV1", toFieldsV1(entry.fields()));
            if (!entry.subresource().isEmpty()) {
                json.put("subresource", entry.subresource());
            }
        }
        metadata.set("managedFields", list);
    }

    /** The {@code FieldsV1} tree of a set of paths: a path that is also a parent gets a {@code "."}. */
    static ObjectNode toFieldsV1(Set<FieldPath> fields) {
        Node root = new Node();
        for (FieldPath path : fields) {
            Node node = root;
            for (String element : path.elements()) {
                node = node.children.computeIfAbsent(element, e -> new Node());
            }
            node.member = true;
        }
        return root.json();
    }

    private static final class Node {
        boolean member;
        final Map<String, Node> children = new TreeMap<>();

        ObjectNode json() {
            ObjectNode json = NODES.objectNode();
            if (member && !children.isEmpty()) {
                json.putObject(".");
            }
            children.forEach((element, child) -> json.set(element, child.json()));
            return json;
        }
    }

    /** Kubernetes' timestamps: RFC 3339 in whole seconds. */
    static String timestamp(Instant now) {
        return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Records an ordinary write: {@code manager} owns, through an {@code Update} entry, every field
     * it set or changed; other managers lose those fields; fields the write removed are owned by no
     * one. Managed fields the writer itself sent differently from the stored ones are taken as the
     * starting point, as Kubernetes lets clients reset them.
     *
     * @param before     the stored object, or null for a create
     * @param after      the object about to be stored; its managedFields are rewritten
     * @param ignored    top-level fields nobody owns here (status behind its own subresource)
     */
    public static void recordUpdate(ObjectNode before, ObjectNode after, PatchSchema schema, String manager,
            String apiVersion, Instant now, Set<String> ignored) {
        record(before, after, schema, manager, apiVersion, now, ignored, "");
    }

    /**
     * Records a write through the {@code status} subresource: an {@code Update} entry with
     * {@code subresource: status} for what it changed under {@code status}; entries of the object
     * itself are left alone.
     */
    public static void recordStatusUpdate(ObjectNode before, ObjectNode after, PatchSchema schema, String manager,
            String apiVersion, Instant now) {
        Set<String> outsideStatus = new HashSet<>();
        for (ObjectNode object : before == null ? List.of(after) : List.of(before, after)) {
            outsideStatus.addAll(object.propertyNames());
        }
        outsideStatus.remove("status");
        record(before, after, schema, manager, apiVersion, now, outsideStatus, "status");
    }

    private static void record(ObjectNode before, ObjectNode after, PatchSchema schema, String manager,
            String apiVersion, Instant now, Set<String> ignored, String subresource) {
        JsonNode sent = after.path("metadata").get("managedFields");
        JsonNode stored = before == null ? null : before.path("metadata").get("managedFields");
        List<ManagedFieldsEntry> entries = sent != null && !sent.equals(stored) ? read(after) : read(before);
        Set<FieldPath> afterFields = ObjectFields.of(after, schema, ignored);
        Set<FieldPath> changed = new LinkedHashSet<>();
        for (FieldPath path : afterFields) {
            JsonNode old = before == null ? null : ObjectFields.valueAt(before, path, schema);
            if (old == null || !sameValue(old, ObjectFields.valueAt(after, path, schema), path)) {
                changed.add(path);
            }
        }
        write(after, updated(entries, manager, apiVersion, now, changed, afterFields, subresource));
    }

    /** Leaves compare by value; a keyed element or set value is the same as long as it is there. */
    private static boolean sameValue(JsonNode old, JsonNode now, FieldPath path) {
        String last = path.elements().getLast();
        if (last.startsWith("k:") || last.startsWith("v:")) {
            return now != null;
        }
        return old.equals(now);
    }

    private static List<ManagedFieldsEntry> updated(List<ManagedFieldsEntry> entries, String manager,
            String apiVersion, Instant now, Set<FieldPath> changed, Set<FieldPath> present, String subresource) {
        List<ManagedFieldsEntry> result = new ArrayList<>();
        boolean found = false;
        for (ManagedFieldsEntry entry : entries) {
            if (!entry.subresource().equals(subresource)) {
                // Written through the object or another subresource: outside what this write can change.
                result.add(entry);
                continue;
            }
            Set<FieldPath> fields = new LinkedHashSet<>(entry.fields());
            fields.retainAll(present);
            if (entry.manager().equals(manager) && entry.operation().equals(ManagedFieldsEntry.UPDATE)) {
                found = true;
                fields.addAll(changed);
                boolean moved = !changed.isEmpty() || !entry.apiVersion().equals(apiVersion);
                entry = moved ? new ManagedFieldsEntry(manager, ManagedFieldsEntry.UPDATE, apiVersion,
                        timestamp(now), subresource, fields) : entry.withFields(fields);
            } else {
                fields.removeAll(changed);
                entry = entry.withFields(fields);
            }
            if (!entry.fields().isEmpty()) {
                result.add(entry);
            }
        }
        if (!found && !changed.isEmpty()) {
            result.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.UPDATE, apiVersion, timestamp(now),
                    subresource, changed));
        }
        return result;
    }
}
