package io.kybern.apiserver.crd;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.structural.StructuralSchema;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One served version of a custom resource, as its definition describes it.
 *
 * @param type           the resource as routing and discovery see it
 * @param definition     the name of its CustomResourceDefinition ({@code widgets.example.com})
 * @param storageVersion the version its objects are stored in
 * @param schema         the version's structural schema
 * @param printerColumns the version's {@code additionalPrinterColumns} (an array, maybe empty)
 * @param scale          the version's {@code subresources.scale}, when it has one
 * @param terminating    whether the definition is being deleted: no new objects may be created
 * @param deprecation    the warning every request to a deprecated version is answered with
 */
public record CustomResource(ResourceType type, String definition, String storageVersion, StructuralSchema schema,
        JsonNode printerColumns, Optional<JsonNode> scale, boolean terminating, Optional<String> deprecation) {

    public String storageApiVersion() {
        return type.gvr().group() + "/" + storageVersion;
    }
}
