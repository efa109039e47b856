package io.kybern.apiserver.cache;

import io.kybern.api.resource.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /**
     * The list as Kubernetes encodes it in JSON ({@code kind}, {@code apiVersion}, {@code metadata}, then the
     * items without their own kind and apiVersion), built from the cached bytes; only when {@code filter} is
     * not {@link WatchCaches#EVERYTHING} are objects decoded, to be tested.
     */
    public byte[] listJson(Predicate<ObjectNode> filter) {
        byte[] head = ("{\"kind\":" + quoted(type.listKind()) + ",\"apiVersion\":"
                + quoted(type.gvr().groupVersion().apiVersion()) + ",\"metadata\":{\"resourceVersion\":\""
                + revision + "\"},\"items\":[").getBytes(StandardCharsets.UTF_8);
        List<CachedObject> items = matching(filter);
        // Sized exactly and filled in place: a list of ten thousand pods is twenty megabytes, not worth copying twice.
        int size = head.length + Math.max(0, items.size() - 1) + 2;
        for (CachedObject object : items) {
            size += object.itemJson().length;
        }
        byte[] out = new byte[size];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out[at++] = ',';
            }
            byte[] item = items.get(i).itemJson();
            System.arraycopy(item, 0, out, at, item.length);
            at += item.length;
        }
        out[at++] = ']';
        out[at] = '}';
        return out;
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
