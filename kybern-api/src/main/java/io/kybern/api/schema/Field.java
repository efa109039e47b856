package io.kybern.api.schema;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One field of an object type.
 *
 * @param name          its JSON name ({@code containers}, {@code $ref})
 * @param value         the type of its value
 * @param required      whether Kubernetes' OpenAPI lists it as required
 * @param patchStrategy strategic merge's {@code x-kubernetes-patch-strategy} as Kubernetes writes it
 *                      ({@code merge}, {@code retainKeys}, {@code merge,retainKeys}); empty if none
 * @param patchMergeKey the field that identifies list items in a strategic merge
 *                      ({@code x-kubernetes-patch-merge-key}); empty if none
 * @param listType      {@code x-kubernetes-list-type}, for arrays that declare one; server-side apply treats
 *                      an array without one as atomic
 * @param listMapKeys   {@code x-kubernetes-list-map-keys}: the fields identifying items of a
 *                      {@link ListType#MAP} list; empty otherwise
 * @param mapType       {@code x-kubernetes-map-type}, for maps and objects that declare one
 * @param enumValues    the values a string field may take, when Kubernetes declares them; empty otherwise
 * @param protobuf      the protobuf field behind it (number, wire type); empty for {@code apiVersion} and
 *                      {@code kind}, which Kubernetes' protobuf carries in its envelope instead. For fields
 *                      of a struct Go inlines (a volume's {@code VolumeSource}, a probe's handler) it is the
 *                      inlined message's field: its {@code getContainingType()} says which, and the
 *                      parent's field of that message type carries them on the wire
 */
public record Field(String name, ValueSchema value, boolean required, String patchStrategy, String patchMergeKey,
        Optional<ListType> listType, List<String> listMapKeys, Optional<MapType> mapType, List<String> enumValues,
        Optional<FieldDescriptor> protobuf) {

    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        patchStrategy = patchStrategy == null ? "" : patchStrategy;
        patchMergeKey = patchMergeKey == null ? "" : patchMergeKey;
        listMapKeys = List.copyOf(listMapKeys);
        enumValues = List.copyOf(enumValues);
    }

    /** Whether strategic merge merges this list item by item rather than replacing it. */
    public boolean mergesInPatches() {
        return List.of(patchStrategy.split(",")).contains("merge");
    }

    /** Whether strategic merge clears the fields a patch leaves out of this object ({@code retainKeys}). */
    public boolean retainsKeysInPatches() {
        return List.of(patchStrategy.split(",")).contains("retainKeys");
    }

    @Override
    public String toString() {
        return name + " " + value;
    }
}
