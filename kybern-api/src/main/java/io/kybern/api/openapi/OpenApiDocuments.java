package io.kybern.api.openapi;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.ObjectSchema;
import io.kybern.api.schema.Schemas;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds Kubernetes' OpenAPI documents: per group-version OpenAPI 3.0 documents and the Swagger 2.0
 * document of everything, each with the paths of the resources served and the definitions they use.
 *
 * <p>Every call builds a fresh document; callers serve many requests from one, so they keep the
 * serialized bytes (the documents only change when the catalog does). Safe from any thread.
 */
public final class OpenApiDocuments {

    /** The Kubernetes release whose API the documents describe, as {@code info.version} says. */
    static final String KUBERNETES_VERSION = "v1.33.0";

    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    private final ResourceCatalog catalog;
    private final Schemas schemas;
    private final RawKinds rawKinds;

    public OpenApiDocuments(ResourceCatalog catalog, Schemas schemas) {
        this(catalog, schemas, RawKinds.NONE);
    }

    /** @param rawKinds the schemas of kinds the built-in schemas do not know (custom resources) */
    public OpenApiDocuments(ResourceCatalog catalog, Schemas schemas, RawKinds rawKinds) {
        this.catalog = catalog;
        this.schemas = schemas;
        this.rawKinds = rawKinds;
    }

    /** The group-versions with at least one resource whose schema is known, in discovery order. */
    public List<GroupVersion> groupVersions() {
        return catalog.groupVersions().stream().filter(gv -> !described(gv).isEmpty()).toList();
    }

    /**
     * The OpenAPI 3 document of one group-version, as kube-apiserver serves it at
     * {@code /openapi/v3/api/v1} or {@code /openapi/v3/apis/<group>/<version>}; empty if none is served.
     */
    public Optional<ObjectNode> v3(GroupVersion gv) {
        List<ResourceType> resources = described(gv);
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", KUBERNETES_VERSION);
        Paths paths = new Paths(Dialect.V3);
        resources.forEach(t -> addPaths(paths, t));
        doc.set("paths", paths.node());
        ObjectNode components = doc.putObject("components").putObject("schemas");
        new SchemaWriter(Dialect.V3).definitions(roots(resources)).forEach(components::set);
        addRawKinds(resources, components, Dialect.V3);
        components.set(META + "Patch", patchDefinition());
        return Optional.of(doc);
    }

    /** The Swagger 2.0 document of every group-version, as kube-apiserver serves it at {@code /openapi/v2}. */
    public ObjectNode v2() {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", KUBERNETES_VERSION);
        Paths paths = new Paths(Dialect.V2);
        List<ResourceType> all = new ArrayList<>();
        for (GroupVersion gv : groupVersions()) {
            for (ResourceType type : described(gv)) {
                addPaths(paths, type);
                all.add(type);
            }
        }
        doc.set("paths", paths.node());
        ObjectNode definitions = doc.putObject("definitions");
        new SchemaWriter(Dialect.V2).definitions(roots(all)).forEach(definitions::set);
        addRawKinds(all, definitions, Dialect.V2);
        definitions.set(META + "Patch", patchDefinition());
        return doc;
    }

    private List<ResourceType> described(GroupVersion gv) {
        return catalog.resources(gv).stream().filter(t -> schemaOf(t).isPresent() || rawKinds.of(t).isPresent())
                .toList();
    }

    private void addPaths(Paths paths, ResourceType type) {
        Optional<ObjectSchema> schema = schemaOf(type);
        if (schema.isPresent()) {
            paths.add(type, schema.get().name(), listSchemaOf(type).map(ObjectSchema::name));
        } else {
            RawKinds.RawKind raw = rawKinds.of(type).orElseThrow();
            paths.add(type, raw.name(), Optional.of(raw.listName()), false);
        }
    }

    /** The schemas of the raw kinds among {@code resources}, with their references in the dialect's form. */
    private void addRawKinds(List<ResourceType> resources, ObjectNode definitions, Dialect dialect) {
        for (ResourceType type : resources) {
            if (schemaOf(type).isPresent()) {
                continue;
            }
            rawKinds.of(type).ifPresent(raw -> {
                definitions.set(raw.name(), inDialect(raw.schema(), dialect));
                definitions.set(raw.listName(), inDialect(raw.listSchema(), dialect));
            });
        }
    }

    private static ObjectNode inDialect(ObjectNode schema, Dialect dialect) {
        ObjectNode copy = schema.deepCopy();
        if (dialect != Dialect.V3) {
            rewriteRefs(copy, dialect);
        }
        return copy;
    }

    private static void rewriteRefs(tools.jackson.databind.JsonNode node, Dialect dialect) {
        if (node instanceof ObjectNode object) {
            tools.jackson.databind.JsonNode ref = object.get("$ref");
            if (ref != null && ref.isString() && ref.asString().startsWith(Dialect.V3.ref(""))) {
                object.put("$ref", dialect.ref(ref.asString().substring(Dialect.V3.ref("").length())));
            }
            object.properties().forEach(e -> rewriteRefs(e.getValue(), dialect));
        } else if (node.isArray()) {
            node.forEach(element -> rewriteRefs(element, dialect));
        }
    }

    private Optional<ObjectSchema> schemaOf(ResourceType type) {
        return schemas.forKind(type.gvk());
    }

    private Optional<ObjectSchema> listSchemaOf(ResourceType type) {
        return schemas.forKind(new GroupVersionKind(type.gvr().group(), type.gvr().version(), type.listKind()));
    }

    /** The kinds served, their lists, and the option and status types every resource's operations use. */
    private List<ObjectSchema> roots(List<ResourceType> resources) {
        Set<ObjectSchema> roots = new LinkedHashSet<>();
        for (ResourceType type : resources) {
            Optional<ObjectSchema> schema = schemaOf(type);
            if (schema.isPresent()) {
                roots.add(schema.get());
                listSchemaOf(type).ifPresent(roots::add);
            } else {
                // Raw kinds refer to the metadata types by name.
                schemas.named(META + "ObjectMeta").ifPresent(roots::add);
                schemas.named(META + "ListMeta").ifPresent(roots::add);
            }
        }
        for (String shared : List.of("DeleteOptions", "Status")) {
            schemas.named(META + shared).ifPresent(roots::add);
        }
        return List.copyOf(roots);
    }

    /** The body of a PATCH: any object, in whichever patch format the Content-Type names. */
    private static ObjectNode patchDefinition() {
        return JsonNodeFactory.instance.objectNode().put("type", "object");
    }
}
