package io.kybern.api.patch.strategic;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.kybern.api.patch.PatchException;
import io.kybern.api.patch.apply.ApplyConflictException;
import io.kybern.api.patch.apply.ServerSideApply;
import java.time.Instant;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Patches and applied configurations arrive straight from request bodies: whatever JSON they hold,
 * applying them must succeed or fail with {@link PatchException} (a 400 or 422) or, for apply, a
 * conflict (a 409), never any other way. Runs its seed corpus in every build; {@code JAZZER_FUZZ=1}
 * fuzzes for real.
 */
class PatchFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectNode POD = (ObjectNode) JSON.readTree("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1"},"finalizers":["x","y"],
            "ownerReferences":[{"uid":"u","name":"o"}]},"spec":{"containers":[{"name":"c","image":"i",
            "env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]},{"name":"d","args":["1"]}],
            "volumes":[{"name":"v","emptyDir":{}}],"tolerations":[{"key":"k"}]},
            "status":{"conditions":[{"type":"Ready","status":"True"}]}}""");
    private static final PatchSchema SCHEMA = BuiltInPatchSchemas.forKind("Pod");

    private static JsonNode parse(String input) {
        try {
            return JSON.readTree(input);
        } catch (JacksonException e) {
            return null;
        }
    }

    @FuzzTest(maxDuration = "20s")
    void strategicPatchesApplyOrAreRefused(@NotNull String input) {
        JsonNode patch = parse(input);
        if (patch == null) {
            return;
        }
        try {
            StrategicMergePatch.apply(POD, patch, SCHEMA);
        } catch (PatchException refused) {
            // The one way a patch may be refused.
        }
    }

    @FuzzTest(maxDuration = "20s")
    void appliedConfigurationsApplyOrConflict(@NotNull String input) {
        JsonNode applied = parse(input);
        if (applied == null || !applied.isObject()) {
            return;
        }
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        try {
            ObjectNode live = ServerSideApply.apply(null, POD, SCHEMA, "first", false, "v1", now, Set.of());
            ServerSideApply.apply(live, (ObjectNode) applied, SCHEMA, "second", false, "v1", now, Set.of());
            ServerSideApply.apply(live, (ObjectNode) applied, SCHEMA, "first", true, "v1", now, Set.of());
        } catch (PatchException | ApplyConflictException refused) {
            // The ways an apply may be refused.
        }
    }
}
