package io.kybern.apiserver;

import io.kybern.api.aggregation.AggregatedApi;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.crd.CustomResourceCatalog;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The aggregated APIs registered with this server, and the requests they answer: get and list, the list
 * filtered by the request's selectors here so every API filters alike. Registering one adds its resources to
 * the catalog (and so to discovery); closing the registration removes them.
 */
final class AggregatedApis {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CustomResourceCatalog catalog;
    private final Map<GroupVersionResource, Registered> byResource = new ConcurrentHashMap<>();

    private record Registered(AggregatedApi api, ResourceType type) {
    }

    AggregatedApis(CustomResourceCatalog catalog) {
        this.catalog = catalog;
    }

    synchronized AutoCloseable register(AggregatedApi api) {
        if (catalog == null) {
            throw new IllegalStateException("this server's catalog is fixed; it cannot serve aggregated APIs");
        }
        for (ResourceType type : api.resources()) {
            if (catalog.byResource(type.gvr()).isPresent()) {
                throw new IllegalArgumentException(type.gvr() + " is served already");
            }
        }
        api.resources().forEach(type -> byResource.put(type.gvr(), new Registered(api, type)));
        publish();
        return () -> {
            synchronized (this) {
                api.resources().forEach(type -> byResource.remove(type.gvr()));
                publish();
            }
        };
    }

    private void publish() {
        List<ResourceType> served = new ArrayList<>();
        byResource.values().forEach(registered -> served.add(registered.type()));
        catalog.serveAggregated(served);
    }

    boolean handles(ResourceType type) {
        return byResource.containsKey(type.gvr());
    }

    void serve(ResourceType type, RequestInfo info, ApiResponder responder, Predicate<ObjectNode> selector) {
        Registered registered = byResource.get(type.gvr());
        if (registered == null) {
            throw ApiException.pathNotFound(); // unregistered since the catalog was read
        }
        String namespace = type.namespaced() ? info.namespace() : "";
        switch (info.verb()) {
            case "get" -> {
                String json = registered.api().get(type, namespace, info.name()).orElseThrow(() ->
                        ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), info.name()));
                ApiServer.json(responder, 200, (ObjectNode) JSON.readTree(json));
            }
            case "list" -> {
                ObjectNode list = (ObjectNode) JSON.readTree(registered.api().list(type, namespace));
                ArrayNode kept = list.arrayNode();
                for (JsonNode item : list.path("items")) {
                    if (item instanceof ObjectNode object && selector.test(object)) {
                        kept.add(object);
                    }
                }
                list.set("items", kept);
                ApiServer.json(responder, 200, list);
            }
            default -> throw ApiException.methodNotAllowed(info.verb() + " is not supported on "
                    + type.gvr().groupResource());
        }
    }
}
