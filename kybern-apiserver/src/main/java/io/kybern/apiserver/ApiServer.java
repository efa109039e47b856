package io.kybern.apiserver;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.aggregation.AggregatedApi;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.api.schema.UnknownFields;
import io.kybern.api.selector.FieldSelector;
import io.kybern.api.selector.LabelSelector;
import io.kybern.api.selector.SelectableFields;
import io.kybern.api.table.IncludeObject;
import io.kybern.api.table.ObjectPrinter;
import io.kybern.api.table.Printers;
import io.kybern.api.table.Tables;
import io.kybern.apiserver.authz.Attributes;
import io.kybern.apiserver.authz.AuthenticatedUsers;
import io.kybern.apiserver.authz.Authorizer;
import io.kybern.apiserver.authz.Decision;
import io.kybern.apiserver.cache.Snapshot;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.crd.CustomResource;
import io.kybern.apiserver.crd.CustomResourceCatalog;
import io.kybern.apiserver.crd.CustomResources;
import io.kybern.apiserver.http.ApiHandler;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.join.KubeletServingCertificates;
import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.metrics.AgentMetrics;
import io.kybern.apiserver.negotiation.NegotiatedResponder;
import io.kybern.apiserver.negotiation.PartialMetadata;
import io.kybern.apiserver.negotiation.RequestBodies;
import io.kybern.apiserver.negotiation.ResponseFormat;
import io.kybern.apiserver.negotiation.UnreadableBodies;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.DeleteOptions;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.registry.ObjectWatch;
import io.kybern.apiserver.registry.WatchOptions;
import io.kybern.apiserver.request.DeleteOptionsParser;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.serviceaccount.ServiceAccountAuthenticator;
import io.kybern.apiserver.serviceaccount.ServiceAccountTokens;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.StoreUnavailableException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Routes API requests: health and version, then resource requests to {@link ObjectStorage} and
 * {@link ObjectWatch}. Discovery documents are served by a {@link NonResourceHandler}.
 */
public final class ApiServer implements ApiHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** Answers paths that name no resource ({@code /version}, discovery, health). */
    public interface NonResourceHandler {
        /** Answers if the path is one it serves; returns false otherwise. */
        boolean handle(ApiRequest request, ApiResponder responder);
    }

    private final ResourceCatalog catalog;
    private final ObjectStorage storage;
    private final ObjectWatch watch;
    private final NonResourceHandler nonResource;
    private final InstantSource clock;
    private final Subresources subresources;
    private final Reviews reviews;
    private final AggregatedApis aggregated;
    private final Authorizer authorizer;
    private final Function<String, Optional<UserInfo>> bearerTokens;
    private final Schemas schemas = Schemas.builtIn();
    private final ManagedWrites writes;
    private final Optional<CustomResources> customs;
    private volatile KubeletServingCertificates kubeletCertificates;

    public ApiServer(ResourceCatalog catalog, ObjectStorage storage, NonResourceHandler nonResource) {
        this(catalog, storage, nonResource, InstantSource.system());
    }

    /** @param clock the time the ages in tables, and the deletion leeway of tokens' objects, are measured against */
    public ApiServer(ResourceCatalog catalog, ObjectStorage storage, NonResourceHandler nonResource,
            InstantSource clock) {
        this(catalog, storage, nonResource, clock, null);
    }

    /**
     * @param tokens issues and checks service account tokens; null for a server that neither issues nor
     *               accepts bearer tokens
     */
    public ApiServer(ResourceCatalog catalog, ObjectStorage storage, NonResourceHandler nonResource,
            InstantSource clock, ServiceAccountTokens tokens) {
        this(catalog, storage, nonResource, clock, tokens, new WatchCaches(storage.store()));
    }

    /** @param caches the watch caches that serve watches and the lists Kubernetes serves from its cache */
    public ApiServer(ResourceCatalog catalog, ObjectStorage storage, NonResourceHandler nonResource,
            InstantSource clock, ServiceAccountTokens tokens, WatchCaches caches) {
        this.catalog = catalog;
        this.storage = storage;
        this.watch = new ObjectWatch(storage.store(), caches, ObjectWatch.BOOKMARK_INTERVAL);
        this.nonResource = nonResource;
        this.clock = clock;
        // Custom resources are served when the catalog learns them from their definitions.
        this.customs = catalog instanceof CustomResourceCatalog dynamic ? Optional.of(new CustomResources(dynamic))
                : Optional.empty();
        this.subresources = new Subresources(catalog, storage, clock, Optional.ofNullable(tokens), customs);
        this.authorizer = new AuthenticatedUsers();
        this.bearerTokens = tokens == null ? token -> Optional.empty()
                : new ServiceAccountAuthenticator(tokens, storage, caches, catalog, clock)::authenticate;
        this.reviews = new Reviews(authorizer, bearerTokens);
        this.aggregated = new AggregatedApis(catalog instanceof CustomResourceCatalog dynamic ? dynamic : null);
        this.writes = new ManagedWrites(storage, clock);
    }

    /** How node agents are reached (pods/log); a server without it answers those requests with an error. */
    public void connectNodes(NodeConnection connection) {
        subresources.connectNodes(connection);
    }

    /**
     * Signs joined node agents' kubelet serving certificates with {@code pki}'s server CA
     * ({@link KubeletServingCertificates#PATH}); a server without it answers that path 404. {@code onSigned}
     * is told after each certificate it signs.
     */
    public void signKubeletCertificates(ClusterPki pki, Runnable onSigned) {
        kubeletCertificates = new KubeletServingCertificates(pki, authorizer, onSigned);
    }

    @Override
    public void handle(ApiRequest request, ApiResponder plain) {
        NegotiatedResponder responder = new NegotiatedResponder(request, plain);
        try {
            route(request, responder);
        } catch (ApiException e) {
            if (!responder.fail(e)) {
                throw e;
            }
        }
    }

    /**
     * Serves {@code api}'s resources until the returned handle is closed (an APIService becoming available,
     * then going away).
     */
    public AutoCloseable register(AggregatedApi api) {
        return aggregated.register(api);
    }

    /**
     * Serves {@code metrics.k8s.io} for every node until the returned handle is closed: the nodes of real agents
     * from their summaries (through the node connection), the nodes {@code others} answers for by it.
     *
     * @param others         another source of node and pod metrics (the simulated nodes'), or null
     * @param servedByOthers the Nodes whose metrics {@code others} serves
     */
    public AutoCloseable serveResourceMetrics(AggregatedApi others, Predicate<JsonNode> servedByOthers) {
        ResourceType nodes = catalog.byResource(new GroupVersionResource("", "v1", "nodes")).orElseThrow();
        ResourceType pods = catalog.byResource(new GroupVersionResource("", "v1", "pods")).orElseThrow();
        return register(new AgentMetrics(() -> items(storage.list(nodes, "", 0, null, null)),
                namespace -> items(storage.list(pods, namespace, 0, null, null)), subresources::nodeConnection,
                others, servedByOthers));
    }

    /** Whether a stored Node matches (read from storage, for decisions taken at start). */
    public boolean anyNode(Predicate<JsonNode> matching) {
        ResourceType nodes = catalog.byResource(new GroupVersionResource("", "v1", "nodes")).orElseThrow();
        return items(storage.list(nodes, "", 0, null, null)).stream().anyMatch(matching);
    }

    private static List<JsonNode> items(ObjectNode list) {
        List<JsonNode> items = new ArrayList<>();
        list.path("items").forEach(items::add);
        return items;
    }

    private void route(ApiRequest request, NegotiatedResponder responder) {
        RequestInfo info = RequestInfo.parse(request.method(), request.path(), request.query());
        try {
            request = authenticate(request);
            KubeletServingCertificates certificates = kubeletCertificates;
            if (certificates != null && certificates.handles(request.path())) {
                certificates.serve(request, responder);
                return;
            }
            if (!info.resourceRequest()) {
                if (!nonResource.handle(request, responder)) {
                    throw ApiException.pathNotFound();
                }
                return;
            }
            if (!request.user().authenticated()) {
                throw ApiException.unauthorized();
            }
            ResourceType type = catalog.byResource(new GroupVersionResource(info.group(), info.version(),
                    info.resource())).orElseThrow(ApiException::pathNotFound);
            authorize(request.user(), info, type);
            responder.objectsOf(type.gvr().groupVersion().apiVersion(), type.kind());
            Optional<CustomResource> custom = customs.flatMap(c -> c.of(type));
            if (custom.isPresent() && info.verb().equals("create") && info.subresource().isEmpty()) {
                customs.get().checkCreateAllowed(custom.get());
            }
            custom.flatMap(CustomResource::deprecation)
                    .ifPresent(warning -> responder.header("Warning", FieldValidation.warningHeader(warning)));
            if (info.subresource().equals("status") && type.subresource("status").isPresent()) {
                serveStatus(type, info, request, responder);
            } else if (!info.subresource().isEmpty()) {
                subresources.serve(type, info, request, responder);
            } else if (type.gvr().group().isEmpty() && type.gvr().resource().equals("bindings")
                    && info.verb().equals("create")) {
                subresources.createBinding(info.namespace(), request, responder);
            } else if (reviews.handles(type)) {
                reviews.serve(type, info, request, responder);
            } else if (aggregated.handles(type)) {
                aggregated.serve(type, info, responder, selector(type, request));
            } else {
                serve(type, info, request, responder);
            }
        } catch (StoreUnavailableException e) {
            throw ApiException.unavailable("storage is unavailable: " + e.getMessage());
        }
    }

    private void serve(ResourceType type, RequestInfo info, ApiRequest request, ApiResponder responder) {
        String namespace = type.namespaced() ? info.namespace() : "";
        if (type.namespaced() && namespace.isEmpty() && !info.name().isEmpty()) {
            throw ApiException.pathNotFound();
        }
        if (!type.verbs().contains(info.verb())) {
            throw ApiException.methodNotAllowed(info.verb() + " is not supported on " + type.gvr().groupResource());
        }
        switch (info.verb()) {
            case "get" -> {
                Tables tables = tables(type, request);
                String metadataOnly = partialMetadata(request);
                ObjectNode object = storage.get(type, namespace, info.name());
                json(responder, 200, metadataOnly != null ? PartialMetadata.ofObject(object, metadataOnly)
                        : tables == null ? object : tables.ofObject(object, true));
            }
            case "list" -> {
                Tables tables = tables(type, request);
                String metadataOnly = partialMetadata(request);
                Predicate<ObjectNode> selector = selector(type, request);
                // Custom resources are read through their definition (version, defaults), never as cached.
                boolean custom = customs.flatMap(c -> c.of(type)).isPresent();
                Optional<Snapshot> cached = custom ? Optional.empty() : watch.caches().listFor(type, namespace,
                        request.param("resourceVersion"), request.param("resourceVersionMatch"),
                        intParam(request, "limit"), request.param("continue"));
                if (cached.isPresent() && tables == null && metadataOnly == null
                        && ResponseFormat.negotiate(request.header("accept")) instanceof ResponseFormat.Objects) {
                    // Plain JSON: the cached bytes, as they are, never joined into one array.
                    responder.respondPieces(200, "application/json", cached.get().listJsonPieces(selector));
                    return;
                }
                ObjectNode list = cached.isPresent() ? cached.get().listObject(selector)
                        : filtered(storage.list(type, namespace, intParam(request, "limit"), request.param("continue"),
                                request.param("resourceVersion"), request.param("resourceVersionMatch")), selector);
                json(responder, 200, metadataOnly != null ? PartialMetadata.ofList(list, metadataOnly)
                        : tables == null ? list : tables.ofList(list));
            }
            case "watch" -> {
                Tables tables = tables(type, request);
                String metadataOnly = partialMetadata(request);
                WatchOptions options = WatchOptions.from(request::param);
                UnaryOperator<ObjectNode> shown = metadataOnly != null
                        ? object -> PartialMetadata.ofObject(object, metadataOnly)
                        : tables == null ? ObjectWatch.AS_STORED : tableEvents(tables);
                boolean custom = customs.flatMap(c -> c.of(type)).isPresent();
                ResponseStream stream = responder.stream(200, "application/json");
                watch.stream(type, namespace, selectorFor(type, info, request), options,
                        custom ? object -> shown.apply(customs.get().fromStorage(type, object)) : shown,
                        custom ? customs.get().servedUntil(type) : ObjectWatch.ALWAYS_SERVED, stream);
            }
            case "create" -> {
                requireNamespace(type, namespace);
                ObjectNode object = validated(type, body(type, request), request, responder);
                json(responder, 201, writes.create(type, namespace, request, object, dryRun(request)));
            }
            case "update" -> json(responder, 200, writes.update(type, namespace, info.name(), request,
                    validated(type, body(type, request), request, responder), dryRun(request)));
            case "patch" -> {
                // An apply that creates the object is answered 201 Created, as Kubernetes answers it.
                boolean[] created = {false};
                ObjectNode patched = writes.patch(type, namespace, info.name(), request,
                        patch -> validatedPatch(type, patch, request, responder), dryRun(request),
                        () -> created[0] = true);
                json(responder, created[0] ? 201 : 200, patched);
            }
            case "delete" -> json(responder, 200, storage.delete(type, namespace, info.name(),
                    DeleteOptionsParser.parse(deleteOptions(request), request::param, dryRun(request))));
            case "deletecollection" -> json(responder, 200, deleteCollection(type, namespace, request));
            default -> throw ApiException.methodNotAllowed(info.verb() + " is not supported yet on "
                    + type.gvr().groupResource());
        }
    }

    /**
     * Who sent the request: the client certificate's subject, established by TLS, or else the account of
     * a bearer token. A bearer token that does not authenticate is refused (401) even where anonymous
     * requests are allowed, as Kubernetes does, so a client learns its token is bad.
     */
    private ApiRequest authenticate(ApiRequest request) {
        if (request.user().authenticated()) {
            return request;
        }
        String authorization = request.header("authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return request;
        }
        UserInfo user = bearerTokens.apply(authorization.substring(7).strip())
                .orElseThrow(ApiException::unauthorized);
        return new ApiRequest(request.method(), request.path(), request.query(), request.headers(), request.body(),
                user);
    }

    /** Refuses a request its user may not make, with Kubernetes' 403 wording. */
    private void authorize(UserInfo user, RequestInfo info, ResourceType type) {
        Decision decision = authorizer.authorize(user, Attributes.resource(info.verb(), info.group(), info.resource(),
                info.subresource(), info.namespace(), info.name()));
        if (decision.allowed()) {
            return;
        }
        String resource = info.subresource().isEmpty() ? info.resource() : info.resource() + "/" + info.subresource();
        throw ApiException.forbidden(type.gvr().groupResource(), info.name(), user.name(), info.verb(), resource,
                info.group(), info.namespace(), decision.reason());
    }

    /** The status subresource: read the object, or change its status and nothing else. */
    private void serveStatus(ResourceType type, RequestInfo info, ApiRequest request, ApiResponder responder) {
        String namespace = type.namespaced() ? info.namespace() : "";
        if (info.name().isEmpty() || (type.namespaced() && namespace.isEmpty())) {
            throw ApiException.pathNotFound();
        }
        switch (info.verb()) {
            case "get" -> json(responder, 200, storage.get(type, namespace, info.name()));
            case "update" -> json(responder, 200, writes.updateStatus(type, namespace, info.name(), request,
                    validated(type, body(type, request), request, responder), dryRun(request)));
            case "patch" -> json(responder, 200, writes.patchStatus(type, namespace, info.name(), request,
                    patch -> validatedPatch(type, patch, request, responder), dryRun(request)));
            default -> throw ApiException.methodNotAllowed(info.verb() + " is not supported on "
                    + type.gvr().groupResource() + "/status");
        }
    }

    /** Applies {@code fieldValidation} to a written object; warnings go out as {@code Warning} headers. */
    private ObjectNode validated(ResourceType type, ObjectNode object, ApiRequest request, ApiResponder responder) {
        FieldValidation validation = FieldValidation.of(request);
        for (String warning : validation.check(type, object, jsonBody(request), unknownFields(type))) {
            responder.header("Warning", FieldValidation.warningHeader(warning));
        }
        return object;
    }

    /** The body when it is JSON, for the repeated-member check; empty otherwise (YAML is judged as decoded). */
    private static byte[] jsonBody(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("application/json");
        return contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json") ? request.body()
                : new byte[0];
    }

    /** Applies {@code fieldValidation} to what a patch leaves; warns once, however often the patch is retried. */
    private UnaryOperator<ObjectNode> validatedPatch(ResourceType type, UnaryOperator<ObjectNode> patch,
            ApiRequest request, ApiResponder responder) {
        FieldValidation validation = FieldValidation.of(request);
        java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return current -> {
            ObjectNode patched = patch.apply(current);
            for (String warning : validation.check(type, patched, null, unknownFields(type))) {
                if (warned.add(warning)) {
                    responder.header("Warning", FieldValidation.warningHeader(warning));
                }
            }
            return patched;
        };
    }

    /**
     * Finds and removes the fields a written object's schema does not know, returning their paths: a custom
     * resource is pruned by its structural schema, a built-in kind checked against its OpenAPI schema.
     */
    private Function<ObjectNode, List<String>> unknownFields(ResourceType type) {
        Optional<CustomResource> custom = customs.flatMap(c -> c.of(type));
        if (custom.isPresent()) {
            return object -> customs.get().prune(custom.get(), object);
        }
        return object -> schemas.forKind(type.gvk()).map(schema -> UnknownFields.remove(schema, object))
                .orElse(List.of());
    }

    /** The meta.k8s.io version of PartialObjectMetadata the client asked for, or null for whole objects. */
    private static String partialMetadata(ApiRequest request) {
        return ResponseFormat.negotiate(request.header("accept")) instanceof ResponseFormat.PartialMetadata partial
                ? partial.version() : null;
    }

    /**
     * The table builder when the client asked for Tables, or null for plain objects. Asked before any
     * work, so that an unacceptable request is refused before it is served.
     */
    private Tables tables(ResourceType type, ApiRequest request) {
        if (!(ResponseFormat.negotiate(request.header("accept")) instanceof ResponseFormat.Table table)) {
            return null;
        }
        IncludeObject include;
        try {
            include = IncludeObject.parse(request.param("includeObject"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        ObjectPrinter printer = customs.flatMap(c -> c.of(type).map(c::printer))
                .orElseGet(() -> Printers.forResource(type.gvr().group(), type.gvr().resource()));
        return new Tables(printer, table.apiVersion(), include, type.gvk(), clock.instant());
    }

    /**
     * Each watched object as a one-row table. Only the first event describes the columns, as Kubernetes
     * sends them; kubectl prints the header once and keeps the columns for the rows that follow.
     */
    private UnaryOperator<ObjectNode> tableEvents(Tables tables) {
        boolean[] first = {true};
        return object -> {
            // Ages must be measured when each event is sent, not when the watch began.
            Tables now = tables.at(clock.instant());
            ObjectNode table = now.ofObject(object, first[0]);
            first[0] = false;
            return table;
        };
    }

    /** The patch a request carries, by its Content-Type, as a function from the current object to the new. */
    static UnaryOperator<ObjectNode> patcher(ResourceType type, ApiRequest request) {
        return ManagedWrites.patcher(type, request);
    }

    private ObjectNode deleteCollection(ResourceType type, String namespace, ApiRequest request) {
        DeleteOptions options = DeleteOptionsParser.parse(deleteOptions(request), request::param, dryRun(request));
        ObjectNode list = filtered(storage.list(type, namespace, 0, null, null), selector(type, request));
        for (JsonNode item : list.get("items")) {
            String itemNamespace = item.path("metadata").path("namespace").asString("");
            String name = item.path("metadata").path("name").asString("");
            try {
                storage.delete(type, itemNamespace, name, options);
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        return list;
    }

    private static void requireNamespace(ResourceType type, String namespace) {
        if (type.namespaced() && namespace.isEmpty()) {
            throw ApiException.pathNotFound();
        }
    }

    /** Label and field selectors of a list or watch, as one predicate over objects. */
    private static Predicate<ObjectNode> selector(ResourceType type, ApiRequest request) {
        LabelSelector labels;
        FieldSelector fields;
        try {
            labels = LabelSelector.parse(request.param("labelSelector"));
            fields = FieldSelector.parse(request.param("fieldSelector"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String group = type.gvr().group();
        String resource = type.gvr().resource();
        for (FieldSelector.Term term : fields.terms()) {
            if (!SelectableFields.supports(group, resource, term.field())) {
                throw ApiException.badRequest("field label not supported: " + term.field());
            }
        }
        if (labels.requirements().isEmpty() && fields.terms().isEmpty()) {
            return WatchCaches.EVERYTHING;
        }
        return object -> labels.matches(labels(object)) && fields.matches(field ->
                SelectableFields.value(group, resource, object, field).orElse(null));
    }

    private static Predicate<ObjectNode> selectorFor(ResourceType type, RequestInfo info, ApiRequest request) {
        Predicate<ObjectNode> selected = selector(type, request);
        if (info.name().isEmpty()) {
            return selected;
        }
        // The deprecated /watch/.../NAME form watches one object.
        return selected.and(o -> info.name().equals(o.path("metadata").path("name").asString("")));
    }

    private static ObjectNode filtered(ObjectNode list, Predicate<ObjectNode> selector) {
        ArrayNode items = (ArrayNode) list.get("items");
        Iterator<JsonNode> it = items.iterator();
        while (it.hasNext()) {
            if (!selector.test((ObjectNode) it.next())) {
                it.remove();
            }
        }
        return list;
    }

    private static Map<String, String> labels(ObjectNode object) {
        Map<String, String> labels = new HashMap<>();
        object.path("metadata").path("labels").properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
        return labels;
    }

    /**
     * The body of a create or update of a {@code type} object. A JSON body that is not even an object is
     * refused as Kubernetes refuses it: as an unrecognized object, in the words of Go's JSON decoder.
     */
    private static ObjectNode body(ResourceType type, ApiRequest request) {
        if (mediaType(request).equals("application/json")) {
            String problem = UnreadableBodies.problem(type.kind(), request.body());
            if (problem != null) {
                throw ApiException.badRequest(problem);
            }
        }
        return body(request);
    }

    private static String mediaType(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("application/json");
        String mediaType = contentType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        return mediaType.isEmpty() ? "application/json" : mediaType;
    }

    static ObjectNode body(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("application/json");
        String mediaType = contentType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        return switch (mediaType) {
            case "application/json", "" -> ObjectStorage.parseObject(request.body());
            case "application/yaml", "application/x-yaml", "text/yaml" -> yamlObject(request.body());
            case ResponseFormat.PROTOBUF -> RequestBodies.protobufObject(request);
            default -> throw ApiException.unsupportedMediaType(contentType);
        };
    }

    private static ObjectNode yamlObject(byte[] body) {
        try {
            JsonNode node = YAML.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body of the request must be a YAML object");
            }
            return (ObjectNode) node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body of the request could not be decoded: " + e.getOriginalMessage());
        }
    }

    /** {@code dryRun=All}: run every check, store nothing. Any other value is refused, as Kubernetes does. */
    static boolean dryRun(ApiRequest request) {
        List<String> values = request.query().getOrDefault("dryRun", List.of());
        for (String value : values) {
            if (!value.equals("All")) {
                throw ApiException.badRequest("unsupported dry run value \"" + value + "\": only All is supported");
            }
        }
        return !values.isEmpty();
    }

    /** The DeleteOptions body, in whichever encoding it came; null when the request has none. */
    static ObjectNode deleteOptions(ApiRequest request) {
        return request.body().length == 0 ? null : RequestBodies.options(request);
    }

    private static int intParam(ApiRequest request, String name) {
        String value = request.param(name);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 0) {
                throw ApiException.badRequest(name + " must not be negative");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid " + name + ": " + value);
        }
    }

    static void json(ApiResponder responder, int status, ObjectNode body) {
        if (responder instanceof NegotiatedResponder negotiated) {
            negotiated.respondObject(status, body);
            return;
        }
        responder.respond(status, "application/json", JSON.writeValueAsBytes(body));
    }
}
