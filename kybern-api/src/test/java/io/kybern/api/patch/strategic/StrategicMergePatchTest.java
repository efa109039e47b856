package io.kybern.api.patch.strategic;

/** The strategic merge patch cases with the table of facts for the common built-in kinds. */
class StrategicMergePatchTest extends StrategicMergePatchCases {

    @Override
    PatchSchema schemaOf(String kind) {
        return BuiltInPatchSchemas.forKind(kind);
    }
}
