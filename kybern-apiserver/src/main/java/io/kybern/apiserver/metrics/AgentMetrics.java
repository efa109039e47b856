package io.kybern.apiserver.metrics;

import io.kybern.api.aggregation.AggregatedApi;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.node.NodeConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code metrics.k8s.io/v1beta1} NodeMetrics and PodMetrics, as metrics-server serves them: the nodes that real
 * agents run are asked for their {@code /stats/summary} (CPU and memory only) through the API server's
 * {@link NodeConnection} when a client asks, in parallel; the nodes another source serves (the simulated nodes'
 * metrics) are answered by that source, and the two lists are joined. A node that is not Ready, cannot be
 * reached within {@link #SCRAPE_TIMEOUT} or answers an error is left out of lists, as metrics-server leaves out
 * nodes whose scrape failed.
 *
 * <p>Threading: called on request threads, concurrently; it keeps no state.
 */
public final class AgentMetrics implements AggregatedApi {

    private static final Logger log = LoggerFactory.getLogger(AgentMetrics.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);
    static final String SUMMARY_PATH = "/stats/summary?only_cpu_and_memory=true";

    public static final ResourceType NODE_METRICS = type("nodes", "NodeMetrics", false);
    public static final ResourceType POD_METRICS = type("pods", "PodMetrics", true);

    private final Supplier<List<JsonNode>> nodes;
    private final Function<String, List<JsonNode>> podsIn;
    private final Supplier<NodeConnection> connection;
    private final AggregatedApi others;
    private final Predicate<JsonNode> servedByOthers;
    private final ExecutorService scrapes = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param nodes          every Node object
     * @param podsIn         the Pod objects of a namespace ("" for all)
     * @param connection     how agents are reached
     * @param others         the source of the other nodes' metrics (the simulated nodes'), or null
     * @param servedByOthers which Nodes {@code others} answers for
     */
    public AgentMetrics(Supplier<List<JsonNode>> nodes, Function<String, List<JsonNode>> podsIn,
            Supplier<NodeConnection> connection, AggregatedApi others, Predicate<JsonNode> servedByOthers) {
        this.nodes = nodes;
        this.podsIn = podsIn;
        this.connection = connection;
        this.others = others;
        this.servedByOthers = others == null ? node -> false : servedByOthers;
    }

    private static ResourceType type(String plural, String kind, boolean namespaced) {
        return new ResourceType(new GroupVersionResource("metrics.k8s.io", "v1beta1", plural), kind, "", namespaced,
                Set.of("get", "list"), List.of(), List.of(), List.of(), plural);
    }

    @Override
    public List<ResourceType> resources() {
        return List.of(NODE_METRICS, POD_METRICS);
    }

    @Override
    public Optional<String> get(ResourceType type, String namespace, String name) {
        if (type.gvr().equals(NODE_METRICS.gvr())) {
            Optional<JsonNode> node = nodes.get().stream().filter(n -> name(n).equals(name)).findFirst();
            if (node.isEmpty()) {
                return Optional.empty();
            }
            if (servedByOthers.test(node.get())) {
                return others.get(theirs(type), namespace, name);
            }
            return scrape(List.of(node.get())).values().stream().findFirst()
                    .flatMap(summary -> SummaryMetrics.nodeMetrics(node.get(), summary)).map(JsonNode::toString);
        }
        List<JsonNode> pods = podsIn.apply(namespace).stream().filter(p -> name(p).equals(name)).toList();
        String nodeName = pods.isEmpty() ? "" : pods.get(0).path("spec").path("nodeName").asString("");
        Optional<JsonNode> node = nodes.get().stream().filter(n -> name(n).equals(nodeName)).findFirst();
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (servedByOthers.test(node.get())) {
            return others.get(theirs(type), namespace, name);
        }
        return scrape(List.of(node.get())).values().stream()
                .flatMap(summary -> SummaryMetrics.podMetrics(summary, labels(pods)).stream()).findFirst()
                .map(JsonNode::toString);
    }

    @Override
    public String list(ResourceType type, String namespace) {
        boolean nodeMetrics = type.gvr().equals(NODE_METRICS.gvr());
        List<JsonNode> agentNodes = new ArrayList<>();
        for (JsonNode node : nodes.get()) {
            if (!servedByOthers.test(node) && ready(node)) {
                agentNodes.add(node);
            }
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", nodeMetrics ? "NodeMetricsList" : "PodMetricsList");
        list.put("apiVersion", SummaryMetrics.API_VERSION);
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        if (others != null) {
            JSON.readTree(others.list(theirs(type), namespace)).path("items").forEach(items::add);
        }
        Map<JsonNode, JsonNode> summaries = scrape(agentNodes);
        SummaryMetrics.PodLabels labels = nodeMetrics ? null : labels(podsIn.apply(namespace));
        for (var scraped : summaries.entrySet()) {
            if (nodeMetrics) {
                SummaryMetrics.nodeMetrics(scraped.getKey(), scraped.getValue()).ifPresent(items::add);
            } else {
                SummaryMetrics.podMetrics(scraped.getValue(), labels).forEach(items::add);
            }
        }
        return list.toString();
    }

    /** The other source's own declaration of the resource (it may tell its resources apart by identity). */
    private ResourceType theirs(ResourceType type) {
        return others.resources().stream().filter(t -> t.gvr().equals(type.gvr())).findFirst().orElse(type);
    }

    /** Pod labels by the pods given; a pod outside them (another namespace, or gone) has none. */
    private static SummaryMetrics.PodLabels labels(List<JsonNode> pods) {
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode pod : pods) {
            JsonNode metadata = pod.path("metadata");
            byKey.put(metadata.path("namespace").asString("") + "/" + metadata.path("name").asString("") + "/"
                    + metadata.path("uid").asString(""), pod);
        }
        return (namespace, name, uid) -> Optional.ofNullable(byKey.get(namespace + "/" + name + "/" + uid))
                .map(pod -> pod.path("metadata").path("labels"));
    }

    /** The summaries of the nodes that answered in time, by node, in the nodes' order. */
    private Map<JsonNode, JsonNode> scrape(List<JsonNode> targets) {
        Map<JsonNode, Future<JsonNode>> pending = new LinkedHashMap<>();
        for (JsonNode node : targets) {
            pending.put(node, scrapes.submit(() -> summary(node)));
        }
        long deadline = System.nanoTime() + SCRAPE_TIMEOUT.toNanos();
        Map<JsonNode, JsonNode> summaries = new LinkedHashMap<>();
        for (var entry : pending.entrySet()) {
            try {
                summaries.put(entry.getKey(), entry.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS));
            } catch (ExecutionException | TimeoutException e) {
                entry.getValue().cancel(true);
                log.info("metrics scrape of node {} failed: {}", name(entry.getKey()),
                        e instanceof ExecutionException ? e.getCause().getMessage() : "timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return summaries;
    }

    private JsonNode summary(JsonNode node) throws IOException, InterruptedException {
        try (NodeConnection.Response response = connection.get().get(node, SUMMARY_PATH)) {
            byte[] body = response.body().readAllBytes();
            if (response.status() != 200) {
                throw new IOException("status " + response.status() + ": "
                        + new String(body, StandardCharsets.UTF_8).strip());
            }
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IOException("unreadable summary: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean ready(JsonNode node) {
        for (JsonNode condition : node.path("status").path("conditions")) {
            if (condition.path("type").asString("").equals("Ready")) {
                return condition.path("status").asString("").equals("True");
            }
        }
        return false;
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asString("");
    }
}
