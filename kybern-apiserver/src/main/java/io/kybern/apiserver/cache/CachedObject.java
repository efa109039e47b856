package io.kybern.apiserver.cache;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One version of an object as the cache keeps it: compact JSON without {@code apiVersion} and {@code kind}
 * (the form of a typed list's items) and with its {@code metadata.resourceVersion}, encoded once when the
 * change arrives and then copied as bytes into every list and watch event that carries it.
 *
 * @param key      the store key
 * @param revision the resourceVersion the bytes carry
 * @param itemJson the JSON bytes; never modified
 */
public record CachedObject(String key, long revision, byte[] itemJson) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Encodes a stored value (JSON without a resourceVersion) as it is served at {@code revision}. */
    static CachedObject of(String key, byte[] stored, long revision) {
        return of(key, (ObjectNode) JSON.readTree(stored), revision);
    }

    private static CachedObject of(String key, ObjectNode object, long revision) {
        object.remove("apiVersion");
        object.remove("kind");
        JsonNode metadata = object.get("metadata");
        ObjectNode meta = metadata instanceof ObjectNode m ? m : object.putObject("metadata");
        meta.put("resourceVersion", Long.toString(revision));
        return new CachedObject(key, revision, JSON.writeValueAsBytes(object));
    }

    /** The same object stamped with another resourceVersion (a deletion's last state carries the deletion's). */
    CachedObject atRevision(long newRevision) {
        return of(key, itemTree(), newRevision);
    }

    /** A fresh, modifiable tree of the item form (no apiVersion and kind). */
    public ObjectNode itemTree() {
        return (ObjectNode) JSON.readTree(itemJson);
    }

    /** A fresh, modifiable tree of the whole object, {@code kind} and {@code apiVersion} first. */
    public ObjectNode object(String kind, String apiVersion) {
        ObjectNode object = JSON.createObjectNode();
        object.put("kind", kind);
        object.put("apiVersion", apiVersion);
        object.setAll(itemTree());
        return object;
    }

    /**
     * The whole object's JSON: {@code typeFields} ({@code {"kind":..,"apiVersion":..,}}) followed by the item's
     * fields, without decoding them.
     */
    public byte[] json(byte[] typeFields) {
        // The item is an object with at least its metadata, so its fields follow the type fields after a comma.
        byte[] out = new byte[typeFields.length + itemJson.length - 1];
        System.arraycopy(typeFields, 0, out, 0, typeFields.length);
        System.arraycopy(itemJson, 1, out, typeFields.length, itemJson.length - 1);
        return out;
    }

    /** The opening of an object of this kind, up to and including the comma before its other fields. */
    static byte[] typeFields(String kind, String apiVersion) {
        ObjectNode type = JSON.createObjectNode();
        type.put("kind", kind);
        type.put("apiVersion", apiVersion);
        String json = JSON.writeValueAsString(type);
        return (json.substring(0, json.length() - 1) + ",").getBytes(StandardCharsets.UTF_8);
    }
}
