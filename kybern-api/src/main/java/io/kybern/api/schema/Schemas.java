package io.kybern.api.schema;

import io.kybern.api.resource.GroupVersionKind;
import java.util.List;
import java.util.Optional;

/**
 * Where schemas are looked up: by the kind of an object, or by definition name.
 *
 * <p>Implementations are safe to use from any thread and build schemas lazily, keeping what they build.
 * Built-in kinds come from {@link #builtIn()}; custom resources will bring their own implementation.
 */
public interface Schemas {

    /** The schema of objects of this kind (lists included: {@code PodList}), if known. */
    Optional<ObjectSchema> forKind(GroupVersionKind gvk);

    /** The object type with this definition name ({@code io.k8s.api.core.v1.PodSpec}), if known. */
    Optional<ObjectSchema> named(String definition);

    /** Every kind with a schema, in the catalog's order, each followed by its list kind. */
    List<GroupVersionKind> kinds();

    /**
     * The schemas of every built-in kind Kybern serves, shared. Cheap to call: the protobuf descriptors
     * are loaded on the first lookup, not here, so a server that never looks starts no slower.
     */
    static Schemas builtIn() {
        return BuiltInSchemas.INSTANCE;
    }
}
