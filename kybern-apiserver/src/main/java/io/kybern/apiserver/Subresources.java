package io.kybern.apiserver;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.selector.LabelSelector;
import io.kybern.api.selector.LabelSelectors;
import io.kybern.apiserver.crd.CustomResources;
import io.kybern.apiserver.crd.ScalePaths;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.DeleteOptions;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.request.DeleteOptionsParser;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.serviceaccount.ServiceAccountTokens;
import io.kybern.apiserver.status.ApiException;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The subresources other than status: scale, pods' binding and eviction, ephemeral containers, a
 * certificate request's approval, pods' log (streamed from the pod's node agent by {@link PodLogs}), pods'
 * exec, attach and portforward (upgraded connections proxied to the node agent by {@link PodStreams}), and
 * the proxy subresources of pods, services and nodes ({@link ResourceProxy}).
 *
 * <p>Stateless apart from the storage; safe from any thread.
 */
final class Subresources {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);
    /** Served through the node agent (any verb: each checks its own). */
    private static final Set<String> NODE_AGENT = Set.of("log", "exec", "attach", "portforward", "proxy");

    private final ResourceCatalog catalog;
    private final ObjectStorage storage;
    private final InstantSource clock;

    private final Optional<ServiceAccountTokens> tokens;
    private final Optional<CustomResources> customs;
    private volatile NodeConnection nodeConnection = NodeConnection.NONE;
    private final PodLogs podLogs;
    private final PodStreams podStreams;
    private final ResourceProxy proxy;

    Subresources(ResourceCatalog catalog, ObjectStorage storage, InstantSource clock,
            Optional<ServiceAccountTokens> tokens, Optional<CustomResources> customs) {
        this.catalog = catalog;
        this.customs = customs;
        this.storage = storage;
        this.clock = clock;
        this.tokens = tokens;
        this.podLogs = new PodLogs(storage, type("", "v1", "nodes"), () -> nodeConnection);
        this.podStreams = new PodStreams(storage, type("", "v1", "nodes"), () -> nodeConnection);
        this.proxy = new ResourceProxy(storage, type("discovery.k8s.io", "v1", "endpointslices"),
                () -> nodeConnection);
    }

    /** How node agents are reached for logs; until this is set, that subresource answers an error. */
    void connectNodes(NodeConnection connection) {
        this.nodeConnection = connection;
    }

    NodeConnection nodeConnection() {
        return nodeConnection;
    }

    void serve(ResourceType type, RequestInfo info, ApiRequest request, ApiResponder responder) {
        String subresource = info.subresource();
        var declared = type.subresource(subresource).orElseThrow(ApiException::pathNotFound);
        String namespace = type.namespaced() ? info.namespace() : "";
        if (info.name().isEmpty() || (type.namespaced() && namespace.isEmpty())) {
            throw ApiException.pathNotFound();
        }
        String verb = info.verb();
        if (!declared.verbs().contains(verb) && !(NODE_AGENT.contains(subresource))) {
            throw ApiException.methodNotAllowed(verb + " is not supported on " + type.gvr().groupResource() + "/"
                    + subresource);
        }
        String resource = type.gvr().group() + "/" + type.gvr().resource();
        switch (subresource) {
            case "scale" -> scale(type, namespace, info.name(), verb, request, responder);
            case "binding" -> {
                bind(type, namespace, info.name(), ApiServer.body(request), ApiServer.dryRun(request));
                ApiServer.json(responder, 201, success());
            }
            case "eviction" -> {
                evict(type, namespace, info.name(), ApiServer.body(request), ApiServer.dryRun(request));
                ApiServer.json(responder, 201, success());
            }
            case "ephemeralcontainers" -> partOf(type, namespace, info.name(), verb, request, responder,
                    ObjectStorage.Part.EPHEMERAL_CONTAINERS);
            case "token" -> ApiServer.json(responder, 201, token(namespace, info.name(), ApiServer.body(request)));
            case "approval" -> partOf(type, namespace, info.name(), verb, request, responder,
                    ObjectStorage.Part.APPROVAL);
            case "log" -> {
                if (!resource.equals("/pods") || !verb.equals("get")) {
                    throw ApiException.methodNotAllowed(verb + " is not supported on " + resource + "/log");
                }
                podLogs.serve(type, namespace, info.name(), request, responder);
            }
            case "exec", "attach", "portforward" -> {
                if (!resource.equals("/pods") || !(verb.equals("get") || verb.equals("create"))) {
                    throw ApiException.methodNotAllowed(verb + " is not supported on " + resource + "/" + subresource);
                }
                podStreams.serve(type, namespace, info.name(), subresource, request, responder);
            }
            case "proxy" -> proxy.serve(type, info, request, responder);
            case "finalize" -> partOf(type, namespace, info.name(), verb, request, responder,
                    ObjectStorage.Part.FINALIZERS);
            default -> {
                throw ApiException.methodNotAllowed(type.gvr().groupResource() + "/" + subresource
                        + " is not served yet");
            }
        }
    }

    /** The core {@code bindings} resource: POST a Binding named after the pod. */
    void createBinding(String namespace, ApiRequest request, ApiResponder responder) {
        ObjectNode binding = ApiServer.body(request);
        String pod = binding.path("metadata").path("name").asString("");
        if (pod.isEmpty()) {
            throw ApiException.invalid("Binding", "", "", List.of(new ApiException.Cause("FieldValueRequired",
                    "Required value: name or generateName is required", "metadata.name")));
        }
        bind(type("", "v1", "pods"), namespace, pod, binding, ApiServer.dryRun(request));
        ApiServer.json(responder, 201, success());
    }

    // --- scale ---

    private void scale(ResourceType type, String namespace, String name, String verb, ApiRequest request,
            ApiResponder responder) {
        boolean dryRun = ApiServer.dryRun(request);
        switch (verb) {
            case "get" -> ApiServer.json(responder, 200, scaleOf(type, storage.get(type, namespace, name)));
            case "update" -> {
                ObjectNode scale = ApiServer.body(request);
                int replicas = replicasOf(name, scale);
                String version = scale.path("metadata").path("resourceVersion").asString("");
                ObjectNode updated = storage.patch(type, namespace, name, object -> {
                    if (!version.isEmpty()) {
                        object.withObject("metadata").put("resourceVersion", version);
                    }
                    setReplicas(type, object, replicas);
                    return object;
                }, ObjectStorage.Part.WHOLE, dryRun);
                ApiServer.json(responder, 200, scaleOf(type, updated));
            }
            case "patch" -> {
                var patch = ApiServer.patcher(type, request);
                ObjectNode updated = storage.patch(type, namespace, name, object -> {
                    ObjectNode scale = patch.apply(scaleOf(type, object));
                    int replicas = replicasOf(name, scale);
                    String version = scale.path("metadata").path("resourceVersion").asString("");
                    if (!version.isEmpty()) {
                        object.withObject("metadata").put("resourceVersion", version);
                    }
                    setReplicas(type, object, replicas);
                    return object;
                }, ObjectStorage.Part.WHOLE, dryRun);
                ApiServer.json(responder, 200, scaleOf(type, updated));
            }
            default -> throw ApiException.methodNotAllowed(verb + " is not supported on scale");
        }
    }

    private void setReplicas(ResourceType type, ObjectNode object, int replicas) {
        Optional<ScalePaths> paths = customs.flatMap(c -> c.scalePaths(type));
        if (paths.isPresent()) {
            paths.get().setSpecReplicas(object, replicas);
        } else {
            object.withObject("spec").put("replicas", replicas);
        }
    }

    /**
     * The autoscaling/v1 Scale of an object: built-in kinds keep {@code spec.replicas} and a selector,
     * custom resources wherever their definition's scale paths say.
     */
    private ObjectNode scaleOf(ResourceType type, ObjectNode object) {
        Optional<ScalePaths> paths = customs.flatMap(c -> c.scalePaths(type));
        if (paths.isEmpty()) {
            return scaleOf(object, object.path("spec").path("replicas").asInt(0),
                    object.path("status").path("replicas").asInt(0), builtInSelector(type, object));
        }
        return scaleOf(object, paths.get().specReplicas(object), paths.get().statusReplicas(object),
                paths.get().selector(object));
    }

    private static String builtInSelector(ResourceType type, ObjectNode object) {
        JsonNode selector = object.path("spec").path("selector");
        // ReplicationControllers select with a plain map; the others with a structured selector.
        return type.gvr().resource().equals("replicationcontrollers") ? LabelSelectors.mapToText(selector)
                : LabelSelectors.toText(selector);
    }

    private static ObjectNode scaleOf(ObjectNode object, long specReplicas, long statusReplicas,
            String selector) {
        ObjectNode scale = JSON.createObjectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        JsonNode source = object.path("metadata");
        for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (source.has(field)) {
                metadata.set(field, source.get(field).deepCopy());
            }
        }
        scale.putObject("spec").put("replicas", specReplicas);
        ObjectNode status = scale.putObject("status");
        status.put("replicas", statusReplicas);
        if (!selector.isEmpty()) {
            status.put("selector", selector);
        }
        return scale;
    }

    private static int replicasOf(String name, ObjectNode scale) {
        JsonNode replicas = scale.path("spec").path("replicas");
        if (!replicas.isIntegralNumber() || replicas.asLong() < 0 || replicas.asLong() > Integer.MAX_VALUE) {
            throw ApiException.invalid("Scale", "autoscaling", name, List.of(new ApiException.Cause(
                    "FieldValueInvalid", "Invalid value: " + replicas + ": must be greater than or equal to 0",
                    "spec.replicas")));
        }
        return replicas.asInt();
    }

    // --- binding ---

    /** Assigns a pod to a node: once, and never to a pod that is being deleted. */
    private void bind(ResourceType pods, String namespace, String name, ObjectNode binding, boolean dryRun) {
        String node = binding.path("target").path("name").asString("");
        String targetKind = binding.path("target").path("kind").asString("Node");
        if (node.isEmpty() || !(targetKind.isEmpty() || targetKind.equals("Node"))) {
            throw ApiException.invalid("Binding", "", name, List.of(new ApiException.Cause("FieldValueInvalid",
                    "Invalid value: \"" + targetKind + "\": must be empty or 'Node'", "target.kind")));
        }
        String now = TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        storage.patch(pods, namespace, name, pod -> {
            if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
                throw ApiException.conflict("pods/binding", "", name, "pod " + name + " is being deleted, cannot be "
                        + "assigned to a host");
            }
            String assigned = pod.path("spec").path("nodeName").asString("");
            if (!assigned.isEmpty()) {
                throw ApiException.conflict("pods/binding", "", name, "pod " + name + " is already assigned to node \""
                        + assigned + "\"");
            }
            pod.withObject("spec").put("nodeName", node);
            binding.path("metadata").path("annotations").properties().forEach(annotation ->
                    pod.withObject("metadata").withObject("annotations").set(annotation.getKey(),
                            annotation.getValue().deepCopy()));
            setCondition(pod.withObject("status"), "PodScheduled", "True", now);
            return pod;
        }, ObjectStorage.Part.SPEC_AND_STATUS, dryRun);
    }

    private static void setCondition(ObjectNode status, String type, String value, String now) {
        var conditions = status.withArray("conditions");
        for (JsonNode condition : conditions) {
            if (condition.path("type").asString("").equals(type)) {
                ObjectNode existing = (ObjectNode) condition;
                if (!existing.path("status").asString("").equals(value)) {
                    existing.put("lastTransitionTime", now);
                }
                existing.put("status", value);
                existing.remove(List.of("reason", "message"));
                return;
            }
        }
        conditions.addObject().put("type", type).put("status", value).putNull("lastProbeTime")
                .put("lastTransitionTime", now);
    }

    // --- eviction ---

    /**
     * Deletes a pod unless that would break a PodDisruptionBudget that covers it: a budget allows as many
     * evictions as its {@code status.disruptionsAllowed}, which its controller keeps; each eviction spends
     * one, so two evictions cannot both take the last allowance.
     */
    private void evict(ResourceType pods, String namespace, String name, ObjectNode eviction, boolean dryRun) {
        ObjectNode pod = storage.get(pods, namespace, name);
        JsonNode options = eviction.path("deleteOptions");
        DeleteOptions deleteOptions = options.isObject()
                ? DeleteOptionsParser.parse((ObjectNode) options, parameter -> null, dryRun)
                : DeleteOptions.NONE.withDryRun(dryRun);
        String phase = pod.path("status").path("phase").asString("");
        // A pod that has finished or never started counts against no budget.
        boolean counts = !(phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending")
                || phase.isEmpty()) && !pod.path("metadata").hasNonNull("deletionTimestamp");
        if (counts) {
            spendBudget(namespace, name, pod, dryRun);
        }
        storage.delete(pods, namespace, name, deleteOptions);
    }

    private void spendBudget(String namespace, String podName, ObjectNode pod, boolean dryRun) {
        ResourceType budgets = type("policy", "v1", "poddisruptionbudgets");
        Map<String, String> labels = new HashMap<>();
        pod.path("metadata").path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode budget : storage.list(budgets, namespace, 0, null, null).path("items")) {
            JsonNode selector = budget.path("spec").path("selector");
            // A budget with no selector covers no pods, as in policy/v1.
            if (selector.isObject() && !selector.isEmpty() && LabelSelectors.of(selector).matches(labels)) {
                matching.add(budget);
            }
        }
        if (matching.isEmpty()) {
            return;
        }
        if (matching.size() > 1) {
            throw ApiException.internal("This pod has more than one PodDisruptionBudget, which the eviction "
                    + "subresource does not support.");
        }
        JsonNode budget = matching.getFirst();
        String budgetName = budget.path("metadata").path("name").asString();
        storage.patch(budgets, namespace, budgetName, current -> {
            JsonNode status = current.path("status");
            long generation = current.path("metadata").path("generation").asLong(0);
            if (status.path("observedGeneration").asLong(0) < generation) {
                throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
                        "DisruptionBudget", "The disruption budget " + budgetName
                                + " is still being processed by the server.");
            }
            int allowed = status.path("disruptionsAllowed").asInt(0);
            if (allowed <= 0) {
                throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
                        "DisruptionBudget", "The disruption budget " + budgetName + " needs "
                                + status.path("desiredHealthy").asInt(0) + " healthy pods and has "
                                + status.path("currentHealthy").asInt(0) + " currently");
            }
            ObjectNode newStatus = current.withObject("status");
            newStatus.put("disruptionsAllowed", allowed - 1);
            newStatus.withObject("disruptedPods").put(podName,
                    TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
            return current;
        }, ObjectStorage.Part.STATUS, dryRun);
    }

    private static ApiException tooManyRequests(String message, String causeReason, String causeMessage) {
        return new ApiException(429, "TooManyRequests", message, new ApiException.Details("", "", "",
                List.of(new ApiException.Cause(causeReason, causeMessage, "")), null));
    }

    // --- service account tokens ---

    /** Shortest and longest lives Kubernetes allows a requested token. */
    private static final long MIN_TOKEN_SECONDS = 600;
    private static final long MAX_TOKEN_SECONDS = 1L << 32;
    private static final long DEFAULT_TOKEN_SECONDS = 3600;

    /** A TokenRequest answered with a token for the account, bound to an object if asked. */
    private ObjectNode token(String namespace, String account, ObjectNode request) {
        ServiceAccountTokens issuer = tokens.orElseThrow(() -> ApiException.unavailable(
                "this server has no service account signing key"));
        ObjectNode serviceAccount = storage.get(type("", "v1", "serviceaccounts"), namespace, account);
        ObjectNode spec = request.withObject("spec");
        long seconds = spec.path("expirationSeconds").asLong(DEFAULT_TOKEN_SECONDS);
        if (seconds < MIN_TOKEN_SECONDS || seconds > MAX_TOKEN_SECONDS) {
            throw ApiException.invalid("TokenRequest", "authentication.k8s.io", account, List.of(
                    new ApiException.Cause("FieldValueInvalid", "Invalid value: " + seconds + ": may not specify a "
                            + (seconds < MIN_TOKEN_SECONDS ? "duration less than 10 minutes"
                                    : "duration larger than 2^32 seconds"), "spec.expirationSeconds")));
        }
        spec.put("expirationSeconds", seconds);
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").forEach(audience -> audiences.add(audience.asString("")));
        if (audiences.isEmpty()) {
            audiences.addAll(ServiceAccountTokens.API_AUDIENCES);
            var array = spec.putArray("audiences");
            audiences.forEach(array::add);
        }
        Optional<ServiceAccountTokens.BoundObject> bound = Optional.empty();
        JsonNode ref = spec.path("boundObjectRef");
        if (ref.isObject()) {
            String kind = ref.path("kind").asString("");
            String resource = switch (kind) {
                case "Pod" -> "pods";
                case "Secret" -> "secrets";
                case "Node" -> "nodes";
                default -> throw ApiException.invalid("TokenRequest", "authentication.k8s.io", account, List.of(
                        new ApiException.Cause("FieldValueNotSupported", "Unsupported value: \"" + kind
                                + "\": supported values: \"Pod\", \"Secret\", \"Node\"", "spec.boundObjectRef.kind")));
            };
            String name = ref.path("name").asString("");
            ObjectNode object = storage.get(type("", "v1", resource), kind.equals("Node") ? "" : namespace, name);
            String uid = object.path("metadata").path("uid").asString("");
            String wanted = ref.path("uid").asString("");
            if (!wanted.isEmpty() && !wanted.equals(uid)) {
                throw ApiException.conflict(resource, "", name, "the UID in the bound object reference (" + wanted
                        + ") does not match the UID in record. The object might have been deleted and then "
                        + "recreated");
            }
            bound = Optional.of(new ServiceAccountTokens.BoundObject(kind, name, uid));
        }
        ServiceAccountTokens.Issued issued = issuer.issue(namespace, account,
                serviceAccount.path("metadata").path("uid").asString(""), audiences, seconds, bound);
        request.put("kind", "TokenRequest");
        request.put("apiVersion", "authentication.k8s.io/v1");
        ObjectNode metadata = request.withObject("metadata");
        metadata.put("name", account);
        metadata.put("namespace", namespace);
        metadata.putNull("creationTimestamp");
        ObjectNode status = request.putObject("status");
        status.put("token", issued.token());
        status.put("expirationTimestamp", TIMESTAMP.format(issued.expires()));
        return request;
    }

    // --- parts of an object behind their own subresource ---

    private void partOf(ResourceType type, String namespace, String name, String verb, ApiRequest request,
            ApiResponder responder, ObjectStorage.Part part) {
        boolean dryRun = ApiServer.dryRun(request);
        switch (verb) {
            case "get" -> ApiServer.json(responder, 200, storage.get(type, namespace, name));
            case "update" -> ApiServer.json(responder, 200, storage.update(type, namespace, name,
                    ApiServer.body(request), part, dryRun));
            case "patch" -> ApiServer.json(responder, 200, storage.patch(type, namespace, name,
                    ApiServer.patcher(type, request), part, dryRun));
            default -> throw ApiException.methodNotAllowed(verb + " is not supported");
        }
    }

    // --- served by a node agent ---

    private ResourceType type(String group, String version, String resource) {
        return catalog.byResource(new GroupVersionResource(group, version, resource)).orElseThrow();
    }

    private static ObjectNode success() {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        status.put("code", 201);
        return status;
    }
}
