package io.kybern.api.patch.strategic;

import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.schema.Schemas;

/** The same cases with the patch strategies read from the built-in API schemas, as the server uses them. */
class StrategicMergePatchWithApiSchemasTest extends StrategicMergePatchCases {

    @Override
    PatchSchema schemaOf(String kind) {
        GroupVersionKind gvk = kind.equals("Deployment") ? new GroupVersionKind("apps", "v1", kind)
                : new GroupVersionKind("", "v1", kind);
        return SchemaPatchSchemas.forKind(Schemas.builtIn(), gvk).orElseThrow();
    }
}
