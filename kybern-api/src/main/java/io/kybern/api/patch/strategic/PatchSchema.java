package io.kybern.api.patch.strategic;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the patch engines need to know about the fields of one kind of object: how a field's value is
 * merged, the merge key of its list elements, and the schema of the value itself. This is the part of
 * a kind's OpenAPI schema (its {@code x-kubernetes-patch-strategy}, {@code x-kubernetes-patch-merge-key},
 * {@code x-kubernetes-list-type}, {@code x-kubernetes-list-map-keys} and
 * {@code x-kubernetes-map-type}) that strategic merge patch and server-side apply read; any source of
 * schemas can provide it.
 *
 * <p>Implementations are immutable and safe to share between threads.
 */
@FunctionalInterface
public interface PatchSchema {

    /** How the field {@code name} of an object described by this schema is patched. Never null. */
    Field field(String name);

    /**
     * Nothing is known: maps merge, lists are replaced (strategic merge) or atomic (apply). This is how
     * custom resources and free-form maps such as labels are treated.
     */
    PatchSchema OPAQUE = name -> Field.OPAQUE;

    /** How a strategic merge patch combines a field's old and new values. */
    enum Strategy {
        /** Maps merge key by key; lists are replaced whole. */
        DEFAULT,
        /** Lists merge: primitive lists as a union, lists of objects element by element on the merge key. */
        MERGE,
        /** The value is replaced whole, maps included. */
        REPLACE
    }

    /** How server-side apply treats a list: owned whole, by value, or element by element on keys. */
    enum ListType { ATOMIC, SET, MAP }

    /**
     * One field.
     *
     * @param strategy    how strategic merge patch merges its value
     * @param retainKeys  whether the strategy includes {@code retainKeys} (kubectl then sends
     *                    {@code $retainKeys} for it; the engine honours the directive wherever it appears)
     * @param mergeKey    the key list elements are matched on under {@link Strategy#MERGE}, or empty
     * @param listType    how server-side apply owns a list value
     * @param listKeys    the keys of a {@link ListType#MAP} list
     * @param keyDefaults values a missing key field takes ({@code protocol: TCP} for ports)
     * @param atomic      whether server-side apply owns an object value whole
     * @param value       the schema of the value; for lists, of each element
     */
    record Field(Strategy strategy, boolean retainKeys, String mergeKey, ListType listType, List<String> listKeys,
            Map<String, String> keyDefaults, boolean atomic, PatchSchema value) {

        public static final Field OPAQUE = new Field(Strategy.DEFAULT, false, "", ListType.ATOMIC, List.of(),
                Map.of(), false, PatchSchema.OPAQUE);

        public Field {
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(value, "value");
            mergeKey = mergeKey == null ? "" : mergeKey;
            listKeys = List.copyOf(listKeys);
            keyDefaults = Map.copyOf(keyDefaults);
        }

        /** A field whose value is described by {@code value} and patched by the defaults. */
        public static Field of(PatchSchema value) {
            return new Field(Strategy.DEFAULT, false, "", ListType.ATOMIC, List.of(), Map.of(), false, value);
        }
    }
}
