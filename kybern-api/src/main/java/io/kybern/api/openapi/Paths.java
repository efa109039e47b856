package io.kybern.api.openapi;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code paths} of an OpenAPI document: for each resource its collection, its objects, its objects
 * across namespaces and its status, with the operations its verbs allow, each marked with
 * {@code x-kubernetes-action} and {@code x-kubernetes-group-version-kind} as kube-apiserver marks them.
 *
 * <p>Writes carry the {@code dryRun}, {@code fieldManager} and {@code fieldValidation} query parameters
 * on the operation itself: kubectl decides whether the server validates fields by finding
 * {@code fieldValidation} among the parameters of the PATCH operation of the object's kind, and older
 * kubectl releases do not follow references to shared parameters.
 */
final class Paths {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String META = OpenApiDocuments.META;

    private record Param(String type, String description) {
    }

    private static final Map<String, Param> QUERY = Map.ofEntries(
            Map.entry("allowWatchBookmarks", new Param("boolean", "Asks for BOOKMARK events in a watch.")),
            Map.entry("continue", new Param("string", "The token of the next page of a paginated list.")),
            Map.entry("dryRun", new Param("string",
                    "When present, every check runs but nothing is stored. The only value is All.")),
            Map.entry("fieldManager", new Param("string", "The name of the actor making the change.")),
            Map.entry("fieldSelector", new Param("string", "Selects objects by their fields.")),
            Map.entry("fieldValidation", new Param("string", "What to do with unknown or duplicate fields: "
                    + "Ignore drops them, Warn drops them and warns (the default), Strict refuses the request.")),
            Map.entry("force", new Param("boolean", "Applies take fields owned by other managers.")),
            Map.entry("gracePeriodSeconds", new Param("integer", "Seconds before the object is deleted.")),
            Map.entry("labelSelector", new Param("string", "Selects objects by their labels.")),
            Map.entry("limit", new Param("integer", "The most objects a list returns at once.")),
            Map.entry("orphanDependents", new Param("boolean", "Deprecated: use propagationPolicy.")),
            Map.entry("pretty", new Param("string", "Indents the output.")),
            Map.entry("propagationPolicy", new Param("string",
                    "Whether and how dependents are deleted: Orphan, Background or Foreground.")),
            Map.entry("resourceVersion", new Param("string", "The version a read is served at.")),
            Map.entry("resourceVersionMatch", new Param("string", "How resourceVersion applies to a list.")),
            Map.entry("sendInitialEvents", new Param("boolean", "Starts a watch with the current objects.")),
            Map.entry("timeoutSeconds", new Param("integer", "How long a list or watch may take.")),
            Map.entry("watch", new Param("boolean", "Watches for changes instead of listing.")));

    private static final List<String> LIST = List.of("allowWatchBookmarks", "continue", "fieldSelector",
            "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
            "timeoutSeconds", "watch");
    private static final List<String> WRITE = List.of("dryRun", "fieldManager", "fieldValidation");
    private static final List<String> PATCH = List.of("dryRun", "fieldManager", "fieldValidation", "force");
    private static final List<String> DELETE = List.of("dryRun", "gracePeriodSeconds", "orphanDependents",
            "propagationPolicy");
    private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");
    private static final List<String> PRODUCES = List.of("application/json", "application/yaml",
            "application/vnd.kubernetes.protobuf");

    /** What custom resources accept and produce: no strategic merge patch, no protobuf, as in Kubernetes. */
    private static final List<String> CUSTOM_PATCH_TYPES = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json");
    private static final List<String> CUSTOM_PRODUCES = List.of("application/json", "application/yaml");

    private final Dialect dialect;
    private final Map<String, ObjectNode> paths = new TreeMap<>();
    /** The media types of the resource being added. */
    private List<String> patchTypes = PATCH_TYPES;
    private List<String> produces = PRODUCES;

    Paths(Dialect dialect) {
        this.dialect = dialect;
    }

    ObjectNode node() {
        ObjectNode node = NODES.objectNode();
        paths.forEach(node::set);
        return node;
    }

    /** Adds a resource's paths; {@code list} is the schema of its list kind, if it has one. */
    void add(ResourceType type, String kindRef, java.util.Optional<String> list) {
        add(type, kindRef, list, true);
    }

    /**
     * As {@link #add(ResourceType, String, java.util.Optional)}; {@code builtIn} false for a custom resource,
     * whose patches kubectl must not send as strategic merge patches (it looks for that media type here).
     */
    void add(ResourceType type, String kindRef, java.util.Optional<String> list, boolean builtIn) {
        patchTypes = builtIn ? PATCH_TYPES : CUSTOM_PATCH_TYPES;
        produces = builtIn ? PRODUCES : CUSTOM_PRODUCES;
        GroupVersion gv = type.gvr().groupVersion();
        String plural = type.gvr().resource();
        String collection = gv.path() + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + plural;
        String item = collection + "/{name}";
        String id = groupVersionId(gv) + (type.namespaced() ? "Namespaced" : "") + type.kind();
        String listRef = list.orElse("");
        GroupVersionKind gvk = type.gvk();
        boolean hasList = list.isPresent();

        if (type.verbs().contains("list") && hasList) {
            operation(collection, type, "get", "list" + id, "list", gvk, LIST, null, Map.of("200", listRef));
            if (type.namespaced()) {
                operation(gv.path() + "/" + plural, type, "get", "list" + groupVersionId(gv) + type.kind()
                        + "ForAllNamespaces", "list", gvk, LIST, null, Map.of("200", listRef));
            }
        }
        if (type.verbs().contains("create")) {
            operation(collection, type, "post", "create" + id, "post", gvk, WRITE, kindRef,
                    Map.of("200", kindRef, "201", kindRef, "202", kindRef));
        }
        if (type.verbs().contains("deletecollection")) {
            operation(collection, type, "delete", "delete" + groupVersionId(gv) + "Collection"
                    + (type.namespaced() ? "Namespaced" : "") + type.kind(), "deletecollection", gvk,
                    concat(LIST, DELETE), META + "DeleteOptions", Map.of("200", META + "Status"));
        }
        if (type.verbs().contains("get")) {
            operation(item, type, "get", "read" + id, "get", gvk, List.of(), null, Map.of("200", kindRef));
        }
        if (type.verbs().contains("update")) {
            operation(item, type, "put", "replace" + id, "put", gvk, WRITE, kindRef,
                    Map.of("200", kindRef, "201", kindRef));
        }
        if (type.verbs().contains("patch")) {
            operation(item, type, "patch", "patch" + id, "patch", gvk, PATCH, META + "Patch",
                    Map.of("200", kindRef, "201", kindRef));
        }
        if (type.verbs().contains("delete")) {
            operation(item, type, "delete", "delete" + id, "delete", gvk, DELETE, META + "DeleteOptions",
                    Map.of("200", kindRef, "202", kindRef));
        }
        if (type.subresource("status").isPresent()) {
            String status = item + "/status";
            operation(status, type, "get", "read" + id + "Status", "get", gvk, List.of(), null,
                    Map.of("200", kindRef));
            operation(status, type, "put", "replace" + id + "Status", "put", gvk, WRITE, kindRef,
                    Map.of("200", kindRef, "201", kindRef));
            operation(status, type, "patch", "patch" + id + "Status", "patch", gvk, PATCH, META + "Patch",
                    Map.of("200", kindRef, "201", kindRef));
        }
    }

    private void operation(String path, ResourceType type, String method, String operationId, String action,
            GroupVersionKind gvk, List<String> query, String bodyRef, Map<String, String> responses) {
        ObjectNode pathItem = paths.computeIfAbsent(path, p -> pathItem(p));
        ObjectNode op = pathItem.putObject(method);
        op.put("description", action + " " + type.kind() + " objects");
        op.put("operationId", operationId);
        op.putArray("tags").add(tag(type.gvr().groupVersion()));
        ArrayNode parameters = op.putArray("parameters");
        if (dialect == Dialect.V2) {
            op.putArray("consumes").add(method.equals("patch") ? patchTypes.getFirst() : "*/*");
            if (method.equals("patch")) {
                patchTypes.stream().skip(1).forEach(op.withArray("consumes")::add);
            }
            ArrayNode producing = op.putArray("produces");
            produces.forEach(producing::add);
            op.putArray("schemes").add("https");
        }
        for (String name : query) {
            parameters.add(queryParameter(name));
        }
        if (bodyRef != null) {
            if (dialect == Dialect.V2) {
                ObjectNode body = parameters.addObject().put("name", "body").put("in", "body").put("required", true);
                body.putObject("schema").put("$ref", dialect.ref(bodyRef));
            } else {
                ObjectNode requestBody = op.putObject("requestBody");
                ObjectNode content = requestBody.putObject("content");
                List<String> types = method.equals("patch") ? patchTypes : List.of("*/*");
                for (String contentType : types) {
                    content.putObject(contentType).putObject("schema").put("$ref", dialect.ref(bodyRef));
                }
                requestBody.put("required", !method.equals("delete"));
            }
        }
        ObjectNode answers = op.putObject("responses");
        new TreeMap<>(responses).forEach((code, ref) -> {
            ObjectNode response = answers.putObject(code).put("description", describe(code));
            if (dialect == Dialect.V2) {
                response.putObject("schema").put("$ref", dialect.ref(ref));
            } else {
                ObjectNode content = response.putObject("content");
                for (String contentType : produces) {
                    content.putObject(contentType).putObject("schema").put("$ref", dialect.ref(ref));
                }
            }
        });
        answers.putObject("401").put("description", "Unauthorized");
        op.put("x-kubernetes-action", action);
        op.set("x-kubernetes-group-version-kind", SchemaWriter.gvk(gvk));
    }

    /** A path's own parameters: the names in its template, and {@code pretty}. */
    private ObjectNode pathItem(String path) {
        ObjectNode item = NODES.objectNode();
        ArrayNode parameters = item.putArray("parameters");
        for (String name : List.of("name", "namespace")) {
            if (path.contains("{" + name + "}")) {
                ObjectNode param = parameters.addObject();
                param.put("name", name).put("in", "path").put("required", true)
                        .put("description", "the " + name + " of the object");
                typed(param, "string");
            }
        }
        parameters.add(queryParameter("pretty"));
        return item;
    }

    private ObjectNode queryParameter(String name) {
        Param param = QUERY.get(name);
        ObjectNode node = NODES.objectNode();
        node.put("name", name).put("in", "query").put("description", param.description());
        typed(node, param.type());
        return node;
    }

    private void typed(ObjectNode param, String type) {
        if (dialect == Dialect.V2) {
            param.put("type", type).put("uniqueItems", true);
        } else {
            param.putObject("schema").put("type", type).put("uniqueItems", true);
        }
    }

    private static String describe(String code) {
        return switch (code) {
            case "200" -> "OK";
            case "201" -> "Created";
            case "202" -> "Accepted";
            default -> code;
        };
    }

    /** {@code CoreV1}, {@code AppsV1}, {@code RbacAuthorizationV1}: how operation ids name a group-version. */
    private static String groupVersionId(GroupVersion gv) {
        String group = gv.group().isEmpty() ? "core" : gv.group().replace(".k8s.io", "");
        StringBuilder id = new StringBuilder();
        for (String part : group.split("\\.")) {
            id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return id.append(Character.toUpperCase(gv.version().charAt(0))).append(gv.version().substring(1)).toString();
    }

    private static String tag(GroupVersion gv) {
        String group = gv.group().isEmpty() ? "core" : gv.group().replace(".k8s.io", "");
        String[] parts = group.split("\\.");
        StringBuilder tag = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            tag.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return tag.append('_').append(gv.version().toLowerCase(Locale.ROOT)).toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().sorted().toList();
    }
}
