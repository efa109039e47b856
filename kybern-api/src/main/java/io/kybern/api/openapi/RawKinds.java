package io.kybern.api.openapi;

import io.kybern.api.resource.ResourceType;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kinds whose schemas are not among the built-in ones but come as OpenAPI 3 JSON (custom resources,
 * from their definitions). References in them point at {@code #/components/schemas/}; the Swagger 2
 * document gets them rewritten to {@code #/definitions/}. They may refer to the built-in
 * {@code ObjectMeta} and {@code ListMeta}, which the documents then carry.
 */
public interface RawKinds {

    /**
     * @param name       the definition's name ({@code com.example.v1.Widget})
     * @param schema     the kind's schema, with {@code x-kubernetes-group-version-kind}
     * @param listName   the name of its list kind's definition
     * @param listSchema the list kind's schema
     */
    record RawKind(String name, ObjectNode schema, String listName, ObjectNode listSchema) {
    }

    /** The schema of a resource's kind, when it is one of these. */
    Optional<RawKind> of(ResourceType type);

    RawKinds NONE = type -> Optional.empty();
}
