package io.kybern.api.patch;

import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902, through zjsonpatch). */
public final class Patches {

    private Patches() {
    }

    /**
     * Applies a merge patch: objects merge key by key, {@code null} removes a key, anything else
     * (arrays included) replaces what was there. Returns the patched copy; the target is untouched.
     */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : ((ObjectNode) patch).objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    private static final java.util.Set<String> OPERATIONS = java.util.Set.of("add", "remove", "replace", "move", "copy",
            "test");

    /** zjsonpatch passes over some malformed operations silently; a malformed patch must be refused. */
    private static void checkOperation(JsonNode operation) {
        if (!operation.isObject()) {
            throw new PatchException("json patch operations must be objects: " + operation, true);
        }
        String op = operation.path("op").asString("");
        if (!OPERATIONS.contains(op)) {
            throw new PatchException("unknown or missing json patch operation \"" + op + "\" in " + operation, true);
        }
        if (!operation.path("path").isString()) {
            throw new PatchException("json patch operation has no path: " + operation, true);
        }
        if ((op.equals("add") || op.equals("replace") || op.equals("test")) && !operation.has("value")) {
            throw new PatchException("json patch operation " + op + " has no value: " + operation, true);
        }
        if ((op.equals("move") || op.equals("copy")) && !operation.path("from").isString()) {
            throw new PatchException("json patch operation " + op + " has no from: " + operation, true);
        }
    }

    /** Applies a JSON patch (a list of operations); the target is untouched. */
    public static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw new PatchException("json patch must be an array of operations", true);
        }
        for (JsonNode operation : patch) {
            checkOperation(operation);
        }
        try {
            // As RFC 6902 and Kubernetes have it: removing what is not there is an error, not a no-op.
            return JsonPatch.apply(patch, target, EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
        } catch (JsonPatchException e) {
            throw new PatchException(e.getMessage(), false);
        } catch (RuntimeException e) {
            // zjsonpatch reports malformed operations (missing "op" or "path") with plain exceptions.
            throw new PatchException("invalid json patch: " + e.getMessage(), true);
        }
    }
}
