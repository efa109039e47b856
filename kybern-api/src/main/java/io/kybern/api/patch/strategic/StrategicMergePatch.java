package io.kybern.api.patch.strategic;

import io.kybern.api.patch.PatchException;
import io.kybern.api.patch.strategic.PatchSchema.Field;
import io.kybern.api.patch.strategic.PatchSchema.Strategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a Kubernetes strategic merge patch to an object, with the semantics of apimachinery's
 * {@code strategicpatch} on the server (parallel lists merged, unmatched nulls ignored):
 * <ul>
 *   <li>maps merge key by key, {@code null} deletes a key;</li>
 *   <li>lists with strategy {@code merge} merge: primitives as an ordered union, objects element by
 *       element on the merge key; other lists are replaced;</li>
 *   <li>{@code $patch: replace} replaces a map (or, as a list element, the whole list) and
 *       {@code $patch: delete} deletes a map (or the list element with that merge key);</li>
 *   <li>{@code $setElementOrder/<list>} orders a merged list, {@code $deleteFromPrimitiveList/<list>}
 *       removes values from a primitive list, {@code $retainKeys} clears the keys it does not name.</li>
 * </ul>
 * The order of merged lists follows apimachinery: items named by the patch in the patch's order,
 * items only on the server in their old order, a server item staying ahead of a patch item only
 * where it already was.
 *
 * <p>Stateless; safe from any thread.
 */
public final class StrategicMergePatch {

    static final String DIRECTIVE = "$patch";
    static final String RETAIN_KEYS = "$retainKeys";
    static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StrategicMergePatch() {
    }

    /**
     * Returns {@code original} with {@code patch} applied; neither argument is changed.
     *
     * @throws PatchException malformed when the patch is not an object or its directives are invalid;
     *                        not malformed when it cannot apply to this object (lists of lists)
     */
    public static ObjectNode apply(ObjectNode original, JsonNode patch, PatchSchema schema) {
        if (patch == null || !patch.isObject()) {
            throw malformed("strategic merge patch must be a JSON object");
        }
        return mergeMap(original.deepCopy(), (ObjectNode) patch.deepCopy(), schema);
    }

    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema) {
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            return switch (directive.asString("")) {
                case "replace" -> {
                    patch.remove(DIRECTIVE);
                    yield (ObjectNode) fresh(patch, schema);
                }
                case "delete" -> NODES.objectNode();
                default -> throw malformed("unknown patch type: " + directive.asString(directive.toString())
                        + " in map: " + patch);
            };
        }
        if (original == null) {
            original = NODES.objectNode();
        }
        applyRetainKeys(original, patch);
        applySetElementOrder(original, patch, schema);
        for (Map.Entry<String, JsonNode> entry : new ArrayList<>(patch.properties())) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            boolean deletions = key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
            if (deletions) {
                key = keyAfter(key, DELETE_FROM_PRIMITIVE_LIST);
                if (!value.isArray()) {
                    throw malformed("invalid patch format of primitive list");
                }
            }
            if (value.isNull()) {
                original.remove(key);
                continue;
            }
            Field field = schema.field(key);
            JsonNode current = original.get(key);
            if (deletions) {
                if (current != null && current.isArray()) {
                    original.set(key, deleteValues((ArrayNode) current, (ArrayNode) value));
                }
            } else if (current == null || current.isNull() || current.getNodeType() != value.getNodeType()) {
                original.set(key, fresh(value, field.value()));
            } else if (current.isObject()) {
                original.set(key, field.strategy() == Strategy.REPLACE ? fresh(value, field.value())
                        : mergeMap((ObjectNode) current, (ObjectNode) value, field.value()));
            } else if (current.isArray()) {
                original.set(key, mergeList((ArrayNode) current, (ArrayNode) value, field));
            } else {
                original.set(key, value);
            }
        }
        return original;
    }

    /**
     * A patch value for a place that has nothing to merge with: its directives and nulls are resolved
     * against nothing, so they never reach the stored object.
     */
    private static JsonNode fresh(JsonNode value, PatchSchema schema) {
        if (value.isObject()) {
            return mergeMap(null, (ObjectNode) value, schema);
        }
        if (value.isArray()) {
            ArrayNode list = (ArrayNode) value;
            boolean objects = !list.isEmpty() && list.get(0).isObject();
            if (!objects) {
                return list;
            }
            ArrayNode result = NODES.arrayNode();
            for (JsonNode element : list) {
                if (element.isObject() && element.has(DIRECTIVE)) {
                    checkListDirective(element);
                    continue;
                }
                result.add(element.isObject() ? mergeMap(null, (ObjectNode) element, schema) : element);
            }
            return result;
        }
        return value;
    }

    /** {@code $retainKeys}: keys of the original the list does not name are cleared. */
    private static void applyRetainKeys(ObjectNode original, ObjectNode patch) {
        JsonNode retain = patch.remove(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw malformed("invalid patch format of retainKeys");
        }
        Set<String> kept = new HashSet<>();
        retain.forEach(k -> kept.add(k.asString("")));
        for (Map.Entry<String, JsonNode> entry : patch.properties()) {
            String key = entry.getKey();
            if (entry.getValue().isNull() || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
                    || key.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            if (!kept.contains(key)) {
                throw malformed("invalid patch format of retainKeys");
            }
        }
        for (String key : new ArrayList<>(original.propertyNames())) {
            if (!kept.contains(key)) {
                original.remove(key);
            }
        }
    }

    /**
     * {@code $setElementOrder/<list>}: merges the list it names (if the patch changes it) and orders the
     * result: named items in the directive's order, the rest where they were.
     */
    private static void applySetElementOrder(ObjectNode original, ObjectNode patch, PatchSchema schema) {
        for (String directiveKey : new ArrayList<>(patch.propertyNames())) {
            if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            JsonNode order = patch.remove(directiveKey);
            if (!order.isArray()) {
                throw malformed("invalid patch format of setElementOrder list");
            }
            String key = keyAfter(directiveKey, SET_ELEMENT_ORDER);
            Field field = schema.field(key);
            JsonNode originalList = original.get(key);
            JsonNode patchList = patch.get(key);
            if ((originalList != null && !originalList.isArray())
                    || (patchList != null && !patchList.isArray() && !patchList.isNull())) {
                throw malformed("invalid patch format of setElementOrder list: " + key + " is not a list");
            }
            if (patchList != null && patchList.isNull()) {
                continue;
            }
            String mergeKey = field.mergeKey();
            if (patchList != null) {
                checkOrderCoversPatch((ArrayNode) patchList, (ArrayNode) order, mergeKey);
            }
            ArrayNode merged;
            if (originalList == null && patchList == null) {
                continue;
            } else if (patchList == null) {
                merged = (ArrayNode) originalList;
            } else if (originalList == null) {
                merged = (ArrayNode) fresh(patchList, field.value());
            } else {
                merged = mergeList((ArrayNode) originalList, (ArrayNode) patchList, field);
            }
            patch.remove(key);
            List<JsonNode> named = new ArrayList<>();
            List<JsonNode> serverOnly = new ArrayList<>();
            for (JsonNode item : merged) {
                (indexOf(order, item, mergeKey) >= 0 ? named : serverOnly).add(item);
            }
            List<JsonNode> serverOrder = originalList == null ? List.of() : list((ArrayNode) originalList);
            original.set(key, ordered(named, serverOnly, list((ArrayNode) order), serverOrder, mergeKey));
        }
    }

    /** The items a patch list sets must appear in its {@code $setElementOrder} list, in the same order. */
    private static void checkOrderCoversPatch(ArrayNode patchList, ArrayNode order, String mergeKey) {
        int p = 0;
        int o = 0;
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : patchList) {
            if (!(item.isObject() && item.has(DIRECTIVE))) {
                items.add(item);
            }
        }
        while (p < items.size() && o < order.size()) {
            if (sameItem(items.get(p), order.get(o), mergeKey)) {
                p++;
            }
            o++;
        }
        if (p < items.size()) {
            throw malformed("The order in patch list:\n" + patchList + "\n doesn't match " + SET_ELEMENT_ORDER
                    + " list:\n" + order);
        }
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, Field field) {
        if (field.strategy() != Strategy.MERGE) {
            return (ArrayNode) fresh(patch, field.value());
        }
        if (original.isEmpty() && patch.isEmpty()) {
            return original;
        }
        boolean objects = elementsAreObjects(original, patch);
        String mergeKey = field.mergeKey();
        List<JsonNode> merged;
        List<JsonNode> serverOrder;
        List<JsonNode> patchItems;
        if (!objects) {
            merged = new ArrayList<>();
            for (JsonNode item : original) {
                addIfAbsent(merged, item);
            }
            for (JsonNode item : patch) {
                addIfAbsent(merged, item);
            }
            serverOrder = list(original);
            patchItems = list(patch);
        } else {
            if (mergeKey.isEmpty()) {
                throw malformed("cannot merge lists without merge key");
            }
            List<JsonNode> kept = list(original);
            List<JsonNode> updates = new ArrayList<>();
            boolean replace = false;
            for (JsonNode item : patch) {
                JsonNode directive = item.get(DIRECTIVE);
                if (directive == null) {
                    updates.add(item);
                    continue;
                }
                switch (directive.asString("")) {
                    case "delete" -> {
                        JsonNode keyValue = item.get(mergeKey);
                        if (keyValue == null) {
                            throw noMergeKey(item, mergeKey);
                        }
                        kept.removeIf(k -> keyValue.equals(k.get(mergeKey)));
                    }
                    case "replace" -> replace = true;
                    case "merge" -> throw malformed("merging lists cannot yet be specified in the patch");
                    default -> throw malformed("unknown patch type: " + directive.asString(directive.toString())
                            + " in map: " + item);
                }
            }
            if (replace) {
                kept = new ArrayList<>();
                for (JsonNode item : updates) {
                    kept.add(mergeMap(null, (ObjectNode) item, field.value()));
                }
                updates = List.of();
            }
            serverOrder = kept;
            merged = new ArrayList<>(kept);
            for (JsonNode item : updates) {
                JsonNode keyValue = item.get(mergeKey);
                if (keyValue == null) {
                    throw noMergeKey(item, mergeKey);
                }
                int at = -1;
                for (int i = 0; i < merged.size(); i++) {
                    if (keyValue.equals(merged.get(i).get(mergeKey))) {
                        at = i;
                        break;
                    }
                }
                if (at >= 0) {
                    merged.set(at, mergeMap((ObjectNode) merged.get(at), (ObjectNode) item, field.value()));
                } else {
                    merged.add(mergeMap(null, (ObjectNode) item, field.value()));
                }
            }
            patchItems = updates;
        }
        ArrayNode patchOrder = NODES.arrayNode();
        patchItems.forEach(patchOrder::add);
        List<JsonNode> named = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : merged) {
            (indexOf(patchOrder, item, objects ? mergeKey : "") >= 0 ? named : serverOnly).add(item);
        }
        return ordered(named, serverOnly, patchItems, serverOrder, objects ? mergeKey : "");
    }

    /**
     * Sorts the patch's items by {@code patchOrder} and the server's by {@code serverOrder}, then
     * interleaves them: a server item goes first only where both are in the server's old order and it
     * stood earlier.
     */
    private static ArrayNode ordered(List<JsonNode> named, List<JsonNode> serverOnly, List<JsonNode> patchOrder,
            List<JsonNode> serverOrder, String mergeKey) {
        List<JsonNode> left = sortedBy(serverOnly, serverOrder, mergeKey);
        List<JsonNode> right = sortedBy(named, patchOrder, mergeKey);
        ArrayNode result = NODES.arrayNode();
        int i = 0;
        int j = 0;
        while (i < left.size() || j < right.size()) {
            if (j >= right.size()) {
                result.add(left.get(i++));
            } else if (i >= left.size()) {
                result.add(right.get(j++));
            } else {
                int li = indexOf(serverOrder, left.get(i), mergeKey);
                int ri = indexOf(serverOrder, right.get(j), mergeKey);
                if (li >= 0 && ri >= 0 && li < ri) {
                    result.add(left.get(i++));
                } else {
                    result.add(right.get(j++));
                }
            }
        }
        return result;
    }

    private static List<JsonNode> sortedBy(List<JsonNode> items, List<JsonNode> order, String mergeKey) {
        List<JsonNode> sorted = new ArrayList<>(items);
        // Every item is in the order list here, so this is a total order.
        sorted.sort((a, b) -> Integer.compare(indexOf(order, a, mergeKey), indexOf(order, b, mergeKey)));
        return sorted;
    }

    private static ArrayNode deleteValues(ArrayNode current, ArrayNode deletions) {
        ArrayNode result = NODES.arrayNode();
        for (JsonNode item : current) {
            boolean deleted = false;
            for (JsonNode gone : deletions) {
                deleted |= gone.equals(item);
            }
            if (!deleted) {
                result.add(item);
            }
        }
        return result;
    }

    private static boolean elementsAreObjects(ArrayNode original, ArrayNode patch) {
        JsonNode first = null;
        for (ArrayNode list : List.of(original, patch)) {
            for (JsonNode item : list) {
                if (item.isArray()) {
                    throw new PatchException("lists of lists are not supported", false);
                }
                if (first == null) {
                    first = item;
                } else if (first.getNodeType() != item.getNodeType()) {
                    throw malformed("list element types are not identical: " + original + ", " + patch);
                }
            }
        }
        return first != null && first.isObject();
    }

    private static void checkListDirective(JsonNode element) {
        String directive = element.get(DIRECTIVE).asString("");
        if (!directive.equals("delete") && !directive.equals("replace")) {
            throw malformed("unknown patch type: " + directive + " in map: " + element);
        }
    }

    private static void addIfAbsent(List<JsonNode> list, JsonNode item) {
        if (!list.contains(item)) {
            list.add(item);
        }
    }

    private static List<JsonNode> list(ArrayNode array) {
        List<JsonNode> items = new ArrayList<>(array.size());
        array.forEach(items::add);
        return items;
    }

    private static int indexOf(Iterable<JsonNode> list, JsonNode item, String mergeKey) {
        int i = 0;
        for (JsonNode candidate : list) {
            if (sameItem(candidate, item, mergeKey)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static boolean sameItem(JsonNode a, JsonNode b, String mergeKey) {
        if (mergeKey.isEmpty()) {
            return a.equals(b);
        }
        JsonNode ka = a.get(mergeKey);
        return ka != null && ka.equals(b.get(mergeKey));
    }

    private static String keyAfter(String key, String prefix) {
        String rest = key.substring(prefix.length());
        if (rest.isEmpty()) {
            throw malformed("unable to find api field in struct for directive " + key);
        }
        return rest;
    }

    private static PatchException noMergeKey(JsonNode item, String mergeKey) {
        return malformed("map: " + item + " does not contain declared merge key: " + mergeKey);
    }

    private static PatchException malformed(String message) {
        return new PatchException(message, true);
    }
}
