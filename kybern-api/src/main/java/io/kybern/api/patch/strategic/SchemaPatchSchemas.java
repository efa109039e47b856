package io.kybern.api.patch.strategic;

import io.kybern.api.patch.strategic.PatchSchema.Field;
import io.kybern.api.patch.strategic.PatchSchema.ListType;
import io.kybern.api.patch.strategic.PatchSchema.Strategy;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.schema.MapType;
import io.kybern.api.schema.ObjectSchema;
import io.kybern.api.schema.Schemas;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Patch schemas read from the API schemas ({@link Schemas}): their patch, list and map extensions. */
public final class SchemaPatchSchemas {

    private SchemaPatchSchemas() {
    }

    public static Optional<PatchSchema> forKind(Schemas schemas, GroupVersionKind gvk) {
        return schemas.forKind(gvk).map(SchemaPatchSchemas::of);
    }

    /**
     * The patch view of an object schema. API schemas never change once built, so each field's patch facts
     * are worked out on first use and kept with the view: apply and managedFields look the same fields up
     * on every write.
     */
    static PatchSchema of(ObjectSchema object) {
        Map<String, Field> fields = new ConcurrentHashMap<>();
        return name -> fields.computeIfAbsent(name,
                n -> object.field(n).map(SchemaPatchSchemas::field).orElse(Field.OPAQUE));
    }

    static Field field(io.kybern.api.schema.Field field) {
        List<String> strategies = List.of(field.patchStrategy().split(","));
        Strategy strategy = strategies.contains("merge") ? Strategy.MERGE
                : strategies.contains("replace") ? Strategy.REPLACE : Strategy.DEFAULT;
        String mergeKey = field.patchMergeKey();
        ListType listType = field.listType().map(t -> switch (t) {
            case ATOMIC -> ListType.ATOMIC;
            case SET -> ListType.SET;
            case MAP -> ListType.MAP;
        }).orElse(strategy == Strategy.MERGE ? (mergeKey.isEmpty() ? ListType.SET : ListType.MAP) : ListType.ATOMIC);
        List<String> keys = !field.listMapKeys().isEmpty() ? field.listMapKeys()
                : mergeKey.isEmpty() ? List.of() : List.of(mergeKey);
        // Kubernetes defaults a port's protocol; apply keys ports with the default filled in.
        Map<String, String> keyDefaults = keys.contains("protocol") ? Map.of("protocol", "TCP") : Map.of();
        boolean atomic = field.mapType().filter(MapType.ATOMIC::equals).isPresent();
        PatchSchema value = field.value().objectWithin().map(SchemaPatchSchemas::of).orElse(PatchSchema.OPAQUE);
        return new Field(strategy, field.retainsKeysInPatches(), mergeKey, listType, keys, keyDefaults, atomic, value);
    }
}
