package io.kybern.apiserver;

import io.kybern.api.aggregation.AggregatedApi;
import io.kybern.api.openapi.OpenApiDocuments;
import io.kybern.api.openapi.RawKinds;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.admission.DefaultStorageClass;
import io.kybern.apiserver.admission.PodPriority;
import io.kybern.apiserver.allocation.Ipv4Range;
import io.kybern.apiserver.allocation.ServiceAllocator;
import io.kybern.apiserver.cache.CachedObject;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.crd.CustomResourceCatalog;
import io.kybern.apiserver.crd.CustomResourceSchemas;
import io.kybern.apiserver.crd.CustomResources;
import io.kybern.apiserver.crd.DefinitionController;
import io.kybern.apiserver.crd.DefinitionWrites;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.http.ApiHandler;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.HttpApiServer;
import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.serviceaccount.ServiceAccountTokens;
import io.kybern.store.Store;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API server as a running part: storage over the {@link Store}, the router, the endpoints that are
 * not resources, and the HTTPS listener; the namespaces every cluster has are created on start.
 */
public final class KubeApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeApiServer.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The namespaces Kubernetes creates on its own. */
    public static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public",
            "kube-node-lease");

    /**
     * @param address          where to listen
     * @param tls              the TLS context (serving certificate, client CA); null only in tests
     * @param kybernVersion    reported in {@code /version}
     * @param serviceClusterIp the {@code kubernetes} Service's address: the service range's first
     * @param advertiseAddress the address pods reach this server at, for the Service's endpoints
     */
    public record Config(InetSocketAddress address, SslContext tls, String kybernVersion, String serviceClusterIp,
            String advertiseAddress, KeyPair serviceAccountKey) {
    }

    private final HttpApiServer http;
    private final AutoCloseable definitions;
    private final WatchCaches caches;
    private final ApiServer router;
    private final ApiHandler handler;

    private KubeApiServer(HttpApiServer http, AutoCloseable definitions, WatchCaches caches, ApiServer router,
            ApiHandler handler) {
        this.http = http;
        this.definitions = definitions;
        this.caches = caches;
        this.router = router;
        this.handler = handler;
    }

    /**
     * Serves an aggregated API ({@code metrics.k8s.io} of the simulated nodes, say) until the returned handle
     * is closed: its group appears in discovery and its requests reach it.
     */
    public AutoCloseable register(AggregatedApi api) {
        return router.register(api);
    }

    /**
     * Serves {@code metrics.k8s.io} for the nodes of real agents (from their summaries) and for those
     * {@code others} answers for (the simulated nodes'), until the returned handle is closed.
     */
    public AutoCloseable serveResourceMetrics(AggregatedApi others, Predicate<JsonNode> servedByOthers) {
        return router.serveResourceMetrics(others, servedByOthers);
    }

    /** Whether a stored Node matches (read from storage, for decisions taken at start). */
    public boolean anyNode(Predicate<JsonNode> matching) {
        return router.anyNode(matching);
    }

    public static KubeApiServer start(Store store, ResourceCatalog catalog, ApiServer.NonResourceHandler discovery,
            Config config) throws InterruptedException {
        ResourceType namespaces = catalog.byResource(new GroupVersionResource("", "v1", "namespaces"))
                .orElseThrow(() -> new IllegalStateException("the catalog has no namespaces"));
        ApiMetrics metrics = new ApiMetrics();
        ObjectStorage storage = new ObjectStorage(metrics.measure(store), InstantSource.system(), new SecureRandom(),
                namespaces);
        for (String name : SYSTEM_NAMESPACES) {
            ObjectNode ns = JSON.createObjectNode();
            ns.putObject("metadata").put("name", name);
            storage.ensure(namespaces, "", ns);
        }
        ResourceType services = catalog.byResource(new GroupVersionResource("", "v1", "services")).orElseThrow();
        ServiceAllocator allocator = new ServiceAllocator(store, Ipv4Range.parse(ServingNames.DEFAULT_SERVICE_CIDR), new SecureRandom());
        storage.hooks("", "services", allocator);
        storage.hooks("apiextensions.k8s.io", "customresourcedefinitions", new DefinitionWrites());
        PodPriority podPriority = new PodPriority(storage, catalog.byResource(
                new GroupVersionResource("scheduling.k8s.io", "v1", "priorityclasses")).orElseThrow());
        podPriority.ensureSystemClasses();
        storage.hooks("", "pods", podPriority);
        storage.hooks("", "persistentvolumeclaims", new DefaultStorageClass(storage, catalog.byResource(
                new GroupVersionResource("storage.k8s.io", "v1", "storageclasses")).orElseThrow()));
        ensureKubernetesService(catalog, storage, config);
        List<ObjectNode> existing = new ArrayList<>();
        storage.list(services, "", 0, null, null).get("items").forEach(item -> existing.add((ObjectNode) item));
        allocator.repair(existing);
        HealthAndVersion health = new HealthAndVersion(config.kybernVersion())
                .liveness("etcd", () -> store.currentRevision() >= 0);
        ServiceAccountTokens tokens = config.serviceAccountKey() == null ? null
                : new ServiceAccountTokens(config.serviceAccountKey(), InstantSource.system());
        OpenApiEndpoints openApi = new OpenApiEndpoints(new OpenApiDocuments(catalog, Schemas.builtIn(),
                catalog instanceof CustomResourceCatalog dynamic ? new CustomResourceSchemas(dynamic) : RawKinds.NONE));
        AutoCloseable definitions = () -> { };
        if (catalog instanceof CustomResourceCatalog dynamic) {
            // Custom resources: served from their definitions, which a controller keeps established.
            storage.rules(new CustomResources(dynamic));
            dynamic.onChange(openApi::invalidate);
            ResourceType crds = catalog.byResource(new GroupVersionResource("apiextensions.k8s.io", "v1",
                    "customresourcedefinitions")).orElseThrow();
            DefinitionController controller = new DefinitionController(storage, crds, dynamic, InstantSource.system());
            controller.start();
            definitions = controller;
        }
        WatchCaches caches = new WatchCaches(storage.store(), WatchCaches.DEFAULT_WINDOW, metrics.watchCache());
        storage.namespaceView(name -> caches.current(namespaces, "", name).map(CachedObject::itemTree));
        ApiServer router = new ApiServer(catalog, storage, firstOf(health, metrics, discovery, openApi),
                InstantSource.system(), tokens, caches);
        ApiHandler handler = metrics.measure(router);
        HttpApiServer http = HttpApiServer.start(config.address(), config.tls(), handler);
        // Filled behind the listener, so the server is ready as soon; a request that comes first waits for it.
        caches.start(catalog.all());
        log.info("api server ready address={}", http.address());
        return new KubeApiServer(http, definitions, caches, router, handler);
    }

    /**
     * The {@code default/kubernetes} Service through which pods reach the API server, and its Endpoints,
     * as kube-apiserver keeps them.
     */
    private static void ensureKubernetesService(ResourceCatalog catalog, ObjectStorage storage, Config config) {
        ResourceType services = catalog.byResource(new GroupVersionResource("", "v1", "services")).orElseThrow();
        ResourceType endpoints = catalog.byResource(new GroupVersionResource("", "v1", "endpoints")).orElseThrow();
        int port = config.address().getPort();
        ObjectNode service = JSON.createObjectNode();
        ObjectNode metadata = service.putObject("metadata");
        metadata.put("name", "kubernetes");
        metadata.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = service.putObject("spec");
        spec.put("type", "ClusterIP");
        spec.put("clusterIP", config.serviceClusterIp());
        spec.putArray("clusterIPs").add(config.serviceClusterIp());
        spec.putArray("ipFamilies").add("IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
        spec.put("internalTrafficPolicy", "Cluster");
        spec.put("sessionAffinity", "None");
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP")
                .put("targetPort", port);
        storage.ensure(services, "default", service);

        ObjectNode endpoint = JSON.createObjectNode();
        endpoint.putObject("metadata").put("name", "kubernetes").putObject("labels")
                .put("endpointslice.kubernetes.io/skip-mirror", "true");
        ObjectNode subset = endpoint.putArray("subsets").addObject();
        subset.putArray("addresses").addObject().put("ip", config.advertiseAddress());
        subset.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        storage.ensure(endpoints, "default", endpoint);
    }

    /** How the API server reaches node agents, for the subresources they serve (pods/log). */
    public void connectNodes(NodeConnection connection) {
        router.connectNodes(connection);
    }

    /**
     * Signs joined node agents' kubelet serving certificates with the cluster's server CA (decision 0023);
     * {@code onSigned} is told after each one, on the request's thread.
     */
    public void signKubeletCertificates(ClusterPki pki, Runnable onSigned) {
        router.signKubeletCertificates(pki, onSigned);
    }

    public InetSocketAddress address() {
        return http.address();
    }

    /**
     * What serves the listener's requests once they are read and their user is known: for clients in this JVM,
     * which need no connection (see the CLI's in-process transport).
     */
    public ApiHandler handler() {
        return handler;
    }

    private static ApiServer.NonResourceHandler firstOf(ApiServer.NonResourceHandler... handlers) {
        return (ApiRequest request, ApiResponder responder) -> {
            for (ApiServer.NonResourceHandler h : handlers) {
                if (h.handle(request, responder)) {
                    return true;
                }
            }
            return false;
        };
    }

    @Override
    public void close() {
        try {
            definitions.close();
        } catch (Exception e) {
            log.warn("stopping the definition controller failed", e);
        }
        http.close();
        caches.close();
    }
}
