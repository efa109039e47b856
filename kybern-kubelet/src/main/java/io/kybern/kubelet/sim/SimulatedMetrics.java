package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsList;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsList;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kybern.api.aggregation.AggregatedApi;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The resource metrics API ({@code metrics.k8s.io/v1beta1} PodMetrics and NodeMetrics) of simulated nodes,
 * what metrics-server serves from kubelets: computed when asked from the pods running on the running nodes.
 * A pod uses what its annotations {@value #CPU_USAGE} and {@value #MEMORY_USAGE} say (quantities for the
 * whole pod, shared among its containers in proportion to their requests), or else half of its requests; a
 * node uses what its pods use. A test or a user scripts load by annotating pods ({@code kubectl annotate pod
 * web-1 sim.kybern.io/cpu-usage=900m}), and the HorizontalPodAutoscaler and {@code kubectl top} see it.
 */
final class SimulatedMetrics implements AggregatedApi {

    static final String CPU_USAGE = PodScript.PREFIX + "cpu-usage";
    static final String MEMORY_USAGE = PodScript.PREFIX + "memory-usage";
    /** The share of its requests a pod without usage annotations uses. */
    static final BigDecimal DEFAULT_SHARE_OF_REQUESTS = new BigDecimal("0.5");
    /** metrics-server's resolution: the window its figures are averaged over. */
    static final Duration WINDOW = Duration.ofSeconds(15);

    static final ResourceType POD_METRICS = type("pods", "PodMetrics", true);
    static final ResourceType NODE_METRICS = type("nodes", "NodeMetrics", false);

    private final Supplier<List<String>> runningNodes;
    private final Function<String, List<Pod>> podsOnNode;
    private final InstantSource clock;

    /**
     * @param runningNodes the names of the nodes that run now (a stopped node reports nothing)
     * @param podsOnNode   the pods bound to a node, from the simulator's cache
     */
    SimulatedMetrics(Supplier<List<String>> runningNodes, Function<String, List<Pod>> podsOnNode,
            InstantSource clock) {
        this.runningNodes = runningNodes;
        this.podsOnNode = podsOnNode;
        this.clock = clock;
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
        if (type.equals(POD_METRICS)) {
            return podMetrics(namespace).stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                    .map(Serialization::asJson);
        }
        return nodeMetrics().stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                .map(Serialization::asJson);
    }

    @Override
    public String list(ResourceType type, String namespace) {
        if (type.equals(POD_METRICS)) {
            PodMetricsList list = new PodMetricsList();
            list.setApiVersion("metrics.k8s.io/v1beta1");
            list.setKind("PodMetricsList");
            list.setItems(podMetrics(namespace));
            list.setMetadata(new io.fabric8.kubernetes.api.model.ListMeta());
            return Serialization.asJson(list);
        }
        NodeMetricsList list = new NodeMetricsList();
        list.setApiVersion("metrics.k8s.io/v1beta1");
        list.setKind("NodeMetricsList");
        list.setItems(nodeMetrics());
        list.setMetadata(new io.fabric8.kubernetes.api.model.ListMeta());
        return Serialization.asJson(list);
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Pods that run (phase Running, not terminating) on running nodes, in {@code namespace} or all when empty. */
    private List<PodMetrics> podMetrics(String namespace) {
        String timestamp = now();
        List<PodMetrics> all = new ArrayList<>();
        for (String node : runningNodes.get()) {
            for (Pod pod : podsOnNode.apply(node)) {
                if (!running(pod) || (!namespace.isEmpty() && !namespace.equals(pod.getMetadata().getNamespace()))) {
                    continue;
                }
                all.add(new PodMetricsBuilder().withApiVersion("metrics.k8s.io/v1beta1").withKind("PodMetrics")
                        .withNewMetadata().withName(pod.getMetadata().getName())
                        .withNamespace(pod.getMetadata().getNamespace()).withLabels(pod.getMetadata().getLabels())
                        .withCreationTimestamp(timestamp).endMetadata().withTimestamp(timestamp)
                        .withWindow(new io.fabric8.kubernetes.api.model.Duration(WINDOW))
                        .withContainers(containerUsage(pod)).build());
            }
        }
        return all;
    }

    private List<NodeMetrics> nodeMetrics() {
        String timestamp = now();
        List<NodeMetrics> all = new ArrayList<>();
        for (String node : runningNodes.get()) {
            BigDecimal cores = BigDecimal.ZERO;
            BigDecimal bytes = BigDecimal.ZERO;
            for (Pod pod : podsOnNode.apply(node)) {
                if (running(pod)) {
                    cores = cores.add(podUsage(pod, "cpu", CPU_USAGE));
                    bytes = bytes.add(podUsage(pod, "memory", MEMORY_USAGE));
                }
            }
            all.add(new NodeMetricsBuilder().withApiVersion("metrics.k8s.io/v1beta1").withKind("NodeMetrics")
                    .withNewMetadata().withName(node).withCreationTimestamp(timestamp).endMetadata()
                    .withTimestamp(timestamp).withWindow(new io.fabric8.kubernetes.api.model.Duration(WINDOW))
                    .withUsage(Map.of("cpu", cpu(cores), "memory", memory(bytes))).build());
        }
        return all;
    }

    private static boolean running(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getMetadata().getDeletionTimestamp() == null;
    }

    private static List<ContainerMetrics> containerUsage(Pod pod) {
        List<Container> containers = pod.getSpec().getContainers();
        Map<String, BigDecimal> cpu = shares(containers, "cpu", podUsage(pod, "cpu", CPU_USAGE));
        Map<String, BigDecimal> memory = shares(containers, "memory", podUsage(pod, "memory", MEMORY_USAGE));
        List<ContainerMetrics> metrics = new ArrayList<>();
        for (Container container : containers) {
            metrics.add(new ContainerMetricsBuilder().withName(container.getName()).withUsage(Map.of(
                    "cpu", cpu(cpu.get(container.getName())), "memory", memory(memory.get(container.getName()))))
                    .build());
        }
        return metrics;
    }

    /** The pod's usage of a resource, in base units (cores, bytes): its annotation, or half its requests. */
    static BigDecimal podUsage(Pod pod, String resource, String annotation) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String scripted = annotations == null ? null : annotations.get(annotation);
        if (scripted != null) {
            try {
                return new Quantity(scripted.strip()).getNumericalAmount();
            } catch (IllegalArgumentException unreadable) {
                // as if absent, as other sim annotations
            }
        }
        return requested(pod.getSpec().getContainers(), resource).multiply(DEFAULT_SHARE_OF_REQUESTS);
    }

    private static BigDecimal requested(List<Container> containers, String resource) {
        BigDecimal total = BigDecimal.ZERO;
        for (Container container : containers) {
            total = total.add(request(container, resource));
        }
        return total;
    }

    private static BigDecimal request(Container container, String resource) {
        if (container.getResources() == null || container.getResources().getRequests() == null) {
            return BigDecimal.ZERO;
        }
        Quantity quantity = container.getResources().getRequests().get(resource);
        return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
    }

    /** {@code total} shared among containers in proportion to their requests, or equally without any. */
    private static Map<String, BigDecimal> shares(List<Container> containers, String resource, BigDecimal total) {
        BigDecimal requested = requested(containers, resource);
        Map<String, BigDecimal> shares = new HashMap<>();
        for (Container container : containers) {
            BigDecimal share = requested.signum() == 0
                    ? total.divide(BigDecimal.valueOf(containers.size()), 9, RoundingMode.HALF_UP)
                    : total.multiply(request(container, resource)).divide(requested, 9, RoundingMode.HALF_UP);
            shares.put(container.getName(), share);
        }
        return shares;
    }

    /** Cores as metrics-server writes them: whole nanocores. */
    private static Quantity cpu(BigDecimal cores) {
        return new Quantity(cores.movePointRight(9).setScale(0, RoundingMode.HALF_UP).toPlainString() + "n");
    }

    /** Bytes as metrics-server writes them: whole kibibytes. */
    private static Quantity memory(BigDecimal bytes) {
        return new Quantity(bytes.divide(BigDecimal.valueOf(1024), 0, RoundingMode.HALF_UP).toPlainString() + "Ki");
    }
}
