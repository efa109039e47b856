package io.kybern.apiserver.cache;

import io.kybern.api.resource.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The objects of one resource (in one namespace, or all) as a cache held them at one revision.
 *
 * @param revision   the revision every object is current at: the list's resourceVersion
 * @param generation which filling of the caches it came from, for a watch that continues from it
 * @param objects    in key order, as the store lists them
 */
public record Snapshot(ResourceType type, byte[] typeFields, long revision, long generation,
        List<CachedObject> objects) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final byte[] COMMA = {','};
    private static final byte[] END = {']', '}'};

    /**
     * The list as Kubernetes encodes it in JSON ({@code kind}, {@code apiVersion}, {@code metadata}, then the
     * items without their own kind and apiVersion), as pieces to be sent one after another: the opening, each
     * cached item with a comma between, and the closing. Nothing is copied: a list of ten thousand pods is
     * twenty megabytes, which joined into one array per request was an allocation G1 takes whole regions for.
     * Only when {@code filter} is not {@link WatchCaches#EVERYTHING} are objects decoded, to be tested.
     */
    public List<byte[]> listJsonPieces(Predicate<ObjectNode> filter) {
        byte[] head = ("{\"kind\":" + quoted(type.listKind()) + ",\"apiVersion\":"
                + quoted(type.gvr().groupVersion().apiVersion()) + ",\"metadata\":{\"resourceVersion\":\""
                + revision + "\"},\"items\":[").getBytes(StandardCharsets.UTF_8);
        List<CachedObject> items = matching(filter);
        return new AbstractList<>() {
            @Override
            public byte[] get(int index) {
                Objects.checkIndex(index, size());
                if (index == 0) {
                    return head;
                }
                if (index == size() - 1) {
                    return END;
                }
                // Between the opening and the closing: item, comma, item, ..., item.
                int inner = index - 1;
                return inner % 2 == 0 ? items.get(inner / 2).itemJson() : COMMA;
            }

            @Override
            public int size() {
                return 2 + Math.max(0, 2 * items.size() - 1);
            }
        };
    }

    /** The same list as a tree, for answers that transform it (tables, protobuf, metadata only). */
    public ObjectNode listObject(Predicate<ObjectNode> filter) {
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", type.listKind());
        list.put("apiVersion", type.gvr().groupVersion().apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(revision));
        ArrayNode items = list.putArray("items");
        for (CachedObject object : matching(filter)) {
            items.add(object.itemTree());
        }
        return list;
    }

    /** The objects the filter selects. */
    public List<CachedObject> matching(Predicate<ObjectNode> filter) {
        if (filter == WatchCaches.EVERYTHING) {
            return objects;
        }
        return objects.stream().filter(o -> filter.test(o.object(type.kind(),
                type.gvr().groupVersion().apiVersion()))).toList();
    }

    private static String quoted(String text) {
        return JSON.writeValueAsString(text);
    }
}
