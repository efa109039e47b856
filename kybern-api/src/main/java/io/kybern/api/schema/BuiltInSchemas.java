package io.kybern.api.schema;

import io.kybern.api.resource.GroupVersionKind;
import java.util.List;
import java.util.Optional;

/** {@link Schemas#builtIn()}: defers loading the descriptors to the first lookup. */
final class BuiltInSchemas implements Schemas {

    static final BuiltInSchemas INSTANCE = new BuiltInSchemas();

    private BuiltInSchemas() {
    }

    @Override
    public Optional<ObjectSchema> forKind(GroupVersionKind gvk) {
        return ProtoSchemas.builtIn().forKind(gvk);
    }

    @Override
    public Optional<ObjectSchema> named(String definition) {
        return ProtoSchemas.builtIn().named(definition);
    }

    @Override
    public List<GroupVersionKind> kinds() {
        return ProtoSchemas.builtIn().kinds();
    }
}
