package io.kybern.apiserver.crd;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.ObjectSchema;
import io.kybern.api.schema.Schemas;
import io.kybern.api.schema.UnknownFields;
import io.kybern.api.structural.Defaulting;
import io.kybern.api.structural.Pruning;
import io.kybern.api.structural.SchemaValidation;
import io.kybern.api.table.ObjectPrinter;
import io.kybern.api.table.PrintedObject;
import io.kybern.api.table.TableColumn;
import io.kybern.api.validation.FieldError;
import io.kybern.apiserver.registry.KindRules;
import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the API server treats the custom resources the catalog serves: their schema rules around storage
 * (as {@link KindRules}), pruning, their tables, and refusing new objects while their definition is
 * deleted. Safe from any thread: every answer is read from the catalog's current snapshot.
 */
public final class CustomResources implements KindRules {

    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

    private final CustomResourceCatalog catalog;

    public CustomResources(CustomResourceCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * The custom resource a type is, if it is one and still served; by where it is served, so a request
     * that began before its definition changed gets the definition's latest rules.
     */
    public Optional<CustomResource> of(ResourceType type) {
        return catalog.custom(type.gvr());
    }

    /**
     * Up to which store revision the resource is served, for a watch to end once it has sent the changes up
     * to there (the deletions of its objects included), as Kubernetes ends the watches of a resource it stops
     * serving.
     */
    public LongSupplier servedUntil(ResourceType type) {
        return () -> catalog.servedUntil(type.gvr());
    }

    /** Where a custom resource with a scale subresource keeps its replicas and selector. */
    public Optional<ScalePaths> scalePaths(ResourceType type) {
        return of(type).flatMap(CustomResource::scale).map(ScalePaths::of);
    }

    /** Refuses creates while the definition is being deleted, with Kubernetes' 405 and words. */
    public void checkCreateAllowed(CustomResource resource) {
        if (resource.terminating()) {
            throw new ApiException(405, "MethodNotAllowed",
                    "create not allowed while custom resource definition is terminating",
                    ApiException.Details.of("", resource.type().gvr().group(), resource.type().gvr().resource()));
        }
    }

    /**
     * Removes the fields the schema does not know and returns their paths; {@code metadata} is pruned to
     * ObjectMeta's fields, as decoding it into Kubernetes' type does.
     */
    public List<String> prune(CustomResource resource, ObjectNode object) {
        List<String> pruned = new ArrayList<>();
        // Looked up per write, not when the class loads: the schemas load on first use, not at start.
        Optional<ObjectSchema> objectMeta = Schemas.builtIn().named(OBJECT_META);
        if (object.get("metadata") instanceof ObjectNode metadata && objectMeta.isPresent()) {
            UnknownFields.remove(objectMeta.get(), metadata).forEach(path -> pruned.add("metadata." + path));
        }
        pruned.addAll(Pruning.prune(resource.schema(), object));
        return pruned;
    }

    /**
     * Refuses a create by any path (an apply that creates, too) while the definition is being deleted; with
     * a status subresource, status is written only there, so a new object starts without one.
     */
    @Override
    public void prepareForCreate(ResourceType type, ObjectNode object) {
        Optional<CustomResource> resource = of(type);
        if (resource.isEmpty()) {
            return;
        }
        checkCreateAllowed(resource.get());
        if (type.subresource("status").isPresent()) {
            object.remove("status");
        }
    }

    @Override
    public void prepare(ResourceType type, ObjectNode object) {
        of(type).ifPresent(resource -> Defaulting.apply(resource.schema(), object));
    }

    @Override
    public List<FieldError> validate(ResourceType type, ObjectNode object) {
        return of(type).map(resource -> SchemaValidation.validate(resource.schema(), object)).orElse(List.of());
    }

    @Override
    public boolean tracksGeneration(ResourceType type) {
        return of(type).isPresent();
    }

    @Override
    public ObjectNode toStorage(ResourceType type, ObjectNode object) {
        Optional<CustomResource> resource = of(type);
        if (resource.isEmpty() || resource.get().storageVersion().equals(type.gvr().version())) {
            return object;
        }
        // Conversion strategy None: versions differ only in their apiVersion.
        ObjectNode stored = object.deepCopy();
        stored.put("apiVersion", resource.get().storageApiVersion());
        return stored;
    }

    @Override
    public ObjectNode fromStorage(ResourceType type, ObjectNode stored) {
        of(type).ifPresent(resource -> {
            if (stored.has("apiVersion")) {
                stored.put("apiVersion", type.gvr().groupVersion().apiVersion());
            }
            Defaulting.apply(resource.schema(), stored);
        });
        return stored;
    }

    /**
     * The table of a custom resource: Name, then its {@code additionalPrinterColumns}, or else Age, as
     * Kubernetes' table convertor for custom resources prints them.
     */
    public ObjectPrinter printer(CustomResource resource) {
        List<ObjectPrinter.Column> columns = new ArrayList<>();
        columns.add(new ObjectPrinter.Column(TableColumn.nameColumn(), PrintedObject::name));
        JsonNode declared = resource.printerColumns();
        if (declared == null || !declared.isArray() || declared.isEmpty()) {
            columns.add(new ObjectPrinter.Column(new TableColumn("Age", "date", "", TableColumn.CREATION_DESCRIPTION,
                    0), o -> o.since(o.path("metadata", "creationTimestamp"))));
            return new ObjectPrinter(columns);
        }
        for (JsonNode column : declared) {
            String jsonPath = column.path("jsonPath").asString("");
            String type = column.path("type").asString("string");
            String description = column.path("description").asString("");
            if (description.isEmpty()) {
                description = "Custom resource definition column (in JSONPath format): " + jsonPath;
            }
            SimpleJsonPath path = SimpleJsonPath.parse(jsonPath);
            columns.add(new ObjectPrinter.Column(new TableColumn(column.path("name").asString(""), type,
                    column.path("format").asString(""), description, column.path("priority").asInt(0)),
                    o -> cell(type, path.find(o.object()), o)));
        }
        return new ObjectPrinter(columns);
    }

    /** One cell, typed as its column says; null (printed {@code <none>}) when absent or of another type. */
    private static Object cell(String type, List<JsonNode> found, PrintedObject object) {
        if (found.isEmpty() || found.getFirst().isNull()) {
            return null;
        }
        JsonNode value = found.getFirst();
        return switch (type) {
            case "integer" -> value.isNumber() ? (Object) value.asLong() : null;
            case "number" -> value.isIntegralNumber() ? (Object) value.asLong()
                    : value.isNumber() ? (Object) value.asDouble() : null;
            case "boolean" -> value.isBoolean() ? (Object) value.asBoolean() : null;
            case "date" -> value.isString() ? object.since(value) : null;
            default -> value.isValueNode() ? value.asString("") : value.toString();
        };
    }
}
