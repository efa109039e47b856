package io.kybern.api.patch.apply;

import io.kybern.api.patch.strategic.PatchSchema;
import io.kybern.api.patch.strategic.PatchSchema.Field;
import io.kybern.api.patch.strategic.PatchSchema.ListType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fields of an object as server-side apply sees them, through a {@link PatchSchema}: objects are
 * granular (each field its own path) unless atomic, lists are atomic, sets (each value a path) or maps
 * (each element a path, keyed on its key fields), and everything else is a leaf.
 *
 * <p>Stateless; safe from any thread.
 */
final class ObjectFields {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Top-level fields no manager owns: identity and bookkeeping, as Kubernetes strips them. */
    private static final Set<String> UNOWNED_TOP = Set.of("apiVersion", "kind");
    private static final Set<String> UNOWNED_METADATA = Set.of("name", "namespace", "creationTimestamp", "selfLink",
            "uid", "generation", "managedFields", "resourceVersion", "deletionTimestamp",
            "deletionGracePeriodSeconds");

    private ObjectFields() {
    }

    /**
     * The paths of every field an object sets: leaves, atomic values, set values and keyed list
     * elements (an element is a path of its own as well as the parent of its fields).
     *
     * @param ignored top-level fields left out (status where it has its own subresource)
     */
    static Set<FieldPath> of(ObjectNode object, PatchSchema schema, Set<String> ignored) {
        Set<FieldPath> paths = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            String name = entry.getKey();
            if (UNOWNED_TOP.contains(name) || ignored.contains(name)) {
                continue;
            }
            FieldPath path = FieldPath.ROOT.field(name);
            if (name.equals("metadata") && entry.getValue().isObject()) {
                PatchSchema meta = schema.field("metadata").value();
                for (Map.Entry<String, JsonNode> m : entry.getValue().properties()) {
                    if (!UNOWNED_METADATA.contains(m.getKey())) {
                        collect(m.getValue(), meta.field(m.getKey()), path.field(m.getKey()), paths);
                    }
                }
                continue;
            }
            collect(entry.getValue(), schema.field(name), path, paths);
        }
        return paths;
    }

    private static void collect(JsonNode value, Field field, FieldPath path, Set<FieldPath> out) {
        if (value.isObject()) {
            if (field.atomic() || value.isEmpty()) {
                out.add(path);
                return;
            }
            for (Map.Entry<String, JsonNode> entry : value.properties()) {
                collect(entry.getValue(), field.value().field(entry.getKey()), path.field(entry.getKey()), out);
            }
        } else if (value.isArray() && !value.isEmpty() && listType(field, (ArrayNode) value) != ListType.ATOMIC) {
            if (listType(field, (ArrayNode) value) == ListType.SET) {
                for (JsonNode item : value) {
                    out.add(path.child("v:" + JSON.writeValueAsString(item)));
                }
            } else {
                for (JsonNode item : value) {
                    FieldPath itemPath = path.child("k:" + key(item, field));
                    out.add(itemPath);
                    for (Map.Entry<String, JsonNode> entry : item.properties()) {
                        collect(entry.getValue(), field.value().field(entry.getKey()), itemPath.field(entry.getKey()),
                                out);
                    }
                }
            }
        } else {
            out.add(path);
        }
    }

    /** The list type actually usable for a value: a keyed list whose elements lack keys is atomic. */
    static ListType listType(Field field, ArrayNode list) {
        return switch (field.listType()) {
            case ATOMIC -> ListType.ATOMIC;
            case SET -> {
                for (JsonNode item : list) {
                    if (item.isContainer()) {
                        yield ListType.ATOMIC;
                    }
                }
                yield ListType.SET;
            }
            case MAP -> {
                for (JsonNode item : list) {
                    if (!item.isObject() || !item.has(field.listKeys().getFirst())) {
                        yield ListType.ATOMIC;
                    }
                }
                yield ListType.MAP;
            }
        };
    }

    /** The key of a keyed list element as {@code FieldsV1} writes it: its key fields, sorted by name. */
    static String key(JsonNode item, Field field) {
        Map<String, JsonNode> keys = new TreeMap<>();
        for (String name : field.listKeys()) {
            JsonNode value = item.get(name);
            if (value == null || value.isNull()) {
                String fallback = field.keyDefaults().get(name);
                if (fallback != null) {
                    keys.put(name, NODES.stringNode(fallback));
                }
            } else {
                keys.put(name, value);
            }
        }
        ObjectNode key = NODES.objectNode();
        keys.forEach(key::set);
        return JSON.writeValueAsString(key);
    }

    /** The value at a path, or null when the object has nothing there. */
    static JsonNode valueAt(JsonNode root, FieldPath path, PatchSchema schema) {
        JsonNode node = root;
        Field field = Field.of(schema);
        for (String element : path.elements()) {
            if (node == null) {
                return null;
            }
            String rest = element.substring(2);
            switch (element.charAt(0)) {
                case 'f' -> {
                    field = field.value().field(rest);
                    node = node.isObject() ? node.get(rest) : null;
                }
                case 'k' -> node = node.isArray() ? findKeyed((ArrayNode) node, rest, field) : null;
                case 'v' -> node = node.isArray() ? findValue((ArrayNode) node, rest) : null;
                default -> node = null;
            }
        }
        return node;
    }

    /** Removes the value at a path; returns whether there was one. */
    static boolean remove(JsonNode root, FieldPath path, PatchSchema schema) {
        if (path.isRoot()) {
            return false;
        }
        List<String> elements = path.elements();
        FieldPath parentPath = new FieldPath(elements.subList(0, elements.size() - 1));
        JsonNode parent = valueAt(root, parentPath, schema);
        String last = elements.getLast();
        String rest = last.substring(2);
        if (parent == null) {
            return false;
        }
        switch (last.charAt(0)) {
            case 'f' -> {
                return parent.isObject() && ((ObjectNode) parent).remove(rest) != null;
            }
            case 'k', 'v' -> {
                if (!parent.isArray()) {
                    return false;
                }
                Field field = fieldAt(parentPath, schema);
                JsonNode item = last.charAt(0) == 'k' ? findKeyed((ArrayNode) parent, rest, field)
                        : findValue((ArrayNode) parent, rest);
                ArrayNode list = (ArrayNode) parent;
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == item) {
                        list.remove(i);
                        return true;
                    }
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /** The schema facts of the field a path ends in. */
    static Field fieldAt(FieldPath path, PatchSchema schema) {
        Field field = Field.of(schema);
        for (String element : path.elements()) {
            if (element.startsWith("f:")) {
                field = field.value().field(element.substring(2));
            }
        }
        return field;
    }

    private static JsonNode findKeyed(ArrayNode list, String key, Field field) {
        for (JsonNode item : list) {
            if (item.isObject() && key(item, field).equals(key)) {
                return item;
            }
        }
        return null;
    }

    private static JsonNode findValue(ArrayNode list, String value) {
        JsonNode wanted = JSON.readTree(value);
        for (JsonNode item : list) {
            if (item.equals(wanted)) {
                return item;
            }
        }
        return null;
    }
}
