package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.api.aggregation.AggregatedApi;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.kubelet.node.LeaseHeartbeat;
import io.kybern.kubelet.node.NodeLeases;
import io.kybern.kubelet.node.NodeRegistration;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of simulated nodes in one process: each registers its Node, keeps its Lease renewed and runs the
 * pods bound to it without containers (see {@link PodSteps}). However many nodes there are, the set
 * watches pods once (all of them, filtered in memory by {@code spec.nodeName}) and its own Nodes once,
 * and renews every Lease from one {@link LeaseHeartbeat}.
 */
public final class SimulatedNodes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedNodes.class);

    /** The label every simulated node wears ({@code "true"}), by which its simulator watches it. */
    public static final String SIMULATED_LABEL = "kybern.io/simulated";
    /** {@code "true"} on a Node stops its simulated kubelet; removing it starts it again. */
    public static final String STOPPED_ANNOTATION = "sim.kybern.io/stopped";
    /** kubelet's nodeStatusReportFrequency: an unchanged status is posted again this often. */
    static final Duration STATUS_REPORT_INTERVAL = Duration.ofMinutes(5);
    static final Duration TICK = Duration.ofMillis(250);
    static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Pods looked at (and their status written) at once. Each kubelet writes its own pods' status, so a
     * hundred nodes are a hundred writers; eight for all of them made a Deployment's pods wait for their
     * Running status long after they were bound (bin/bench scheduler, decision 0022).
     */
    static final int POD_WORKERS = 32;
    static final int CONCURRENT_REGISTRATIONS = 32;
    private static final String BY_NODE = "nodeName";

    /**
     * What to simulate.
     *
     * @param count      how many nodes
     * @param namePrefix their names' prefix; the nodes are {@code prefix0}, {@code prefix1}...
     * @param shape      their capacity, labels and taints
     */
    public record Options(int count, String namePrefix, NodeShape shape) {
        public Options {
            if (count < 0) {
                throw new IllegalArgumentException("the number of nodes cannot be negative: " + count);
            }
            Objects.requireNonNull(namePrefix, "namePrefix");
            Objects.requireNonNull(shape, "shape");
        }

        public static final String DEFAULT_PREFIX = "sim-node-";
    }

    private final KubernetesClient client;
    private final InstantSource clock;
    private final NodeShape shape;
    private final String kubeletVersion;
    private final NodeRegistration registration;
    private final LeaseHeartbeat heartbeat;
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodeInformer;
    private final KeyQueue queue = new KeyQueue();
    /** Pods whose state changes at a time rather than on an event: readiness delays, run times, retries. */
    private final Map<String, Instant> due = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore writes = new Semaphore(CONCURRENT_REGISTRATIONS);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    private SimulatedNodes(KubernetesClient client, InstantSource clock, NodeShape shape, String kubeletVersion) {
        this.client = client;
        this.clock = clock;
        this.shape = shape;
        this.kubeletVersion = kubeletVersion;
        this.registration = new NodeRegistration(client);
        this.heartbeat = new LeaseHeartbeat(new NodeLeases(client), clock);
        this.pods = client.pods().inAnyNamespace().runnableInformer(0);
        this.nodeInformer = client.nodes().withLabel(SIMULATED_LABEL, "true").runnableInformer(0);
    }

    /**
     * Registers the nodes and starts them; returns once every Node exists and the pod cache is filled. The
     * kubelet version they report is the API server's.
     */
    public static SimulatedNodes start(KubernetesClient client, Options options, InstantSource clock) {
        String version = client.getKubernetesVersion().getGitVersion();
        SimulatedNodes set = new SimulatedNodes(client, clock, options.shape(), version);
        try {
            // The pod cache fills while the nodes register: a fresh server's first list costs as much as they do.
            // Pods seen meanwhile wait in the queue: the workers start once the nodes are registered.
            set.declare(options);
            CompletableFuture<Void> podsListed = set.listPods();
            set.register();
            set.watch(podsListed);
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
        log.info("simulated nodes started count={} prefix={}", options.count(), options.namePrefix());
        return set;
    }

    /**
     * The resource metrics ({@code metrics.k8s.io}) of these nodes and their pods, for the API server to serve
     * as metrics-server's are served through aggregation.
     */
    public AggregatedApi metricsApi() {
        return new SimulatedMetrics(() -> nodes.values().stream().filter(node -> node.running).map(node -> node.name)
                .toList(), node -> pods.getIndexer().byIndex(BY_NODE, node), clock);
    }

    public List<SimulatedNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** The node of that name, or null if this set has none. */
    public SimulatedNode node(String name) {
        return nodes.get(name);
    }

    /** Names the nodes; the map is not changed after this, so informer threads may read it without a lock. */
    private void declare(Options options) {
        for (int i = 0; i < options.count(); i++) {
            NodeState state = new NodeState(options.namePrefix() + i, i);
            nodes.put(state.name, state);
        }
    }

    private void register() {
        Instant now = clock.instant();
        List<Future<?>> registrations = new ArrayList<>();
        for (NodeState state : nodes.values()) {
            registrations.add(background.submit(() -> {
                writes.acquire();
                try {
                    state.uid = registration.register(NodeObjects.node(state.name, state.index, shape, kubeletVersion,
                            now)).getMetadata().getUid();
                } finally {
                    writes.release();
                }
                return null;
            }));
        }
        for (Future<?> registered : registrations) {
            try {
                registered.get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while registering nodes", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("a simulated node could not register", e);
            }
        }
        for (NodeState state : nodes.values()) {
            state.statusPostedAt = now;
            heartbeat.add(state.name, state.uid);
        }
    }

    private CompletableFuture<Void> listPods() {
        pods.addIndexers(Map.of(BY_NODE, pod -> List.of(nodeName(pod))));
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueIfOurs(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                enqueueIfOurs(after);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                due.remove(key(pod));
            }
        });
        return pods.start().toCompletableFuture();
    }

    private void watch(CompletableFuture<Void> podsListed) {
        nodeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                follow(node);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                follow(after);
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
            }
        });
        try {
            CompletableFuture.allOf(podsListed, nodeInformer.start().toCompletableFuture())
                    .get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing pods", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the simulated nodes' caches did not fill", e);
        }
        for (int i = 0; i < POD_WORKERS; i++) {
            threads.add(Thread.ofVirtual().name("sim-pods-" + i).start(this::work));
        }
        threads.add(Thread.ofVirtual().name("sim-nodes-tick").start(this::tick));
    }

    private void enqueueIfOurs(Pod pod) {
        NodeState node = nodes.get(nodeName(pod));
        if (node != null && node.running) {
            queue.add(key(pod));
        }
    }

    /** Follows the stop annotation, and answers a Ready condition someone else changed with our own. */
    private void follow(Node node) {
        NodeState state = nodes.get(node.getMetadata().getName());
        if (state == null) {
            return;
        }
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        boolean stopWanted = annotations != null && "true".equals(annotations.get(STOPPED_ANNOTATION));
        if (stopWanted && state.running) {
            halt(state);
        } else if (!stopWanted && !state.running) {
            background.execute(() -> resume(state));
        } else if (state.running && !readyTrue(node)) {
            // The node lifecycle controller wrote Unknown (say, after a pause): kubelet corrects it on its
            // next status update; so do we, at once.
            background.execute(() -> postStatus(state));
        }
    }

    private static boolean readyTrue(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus()
                .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void halt(NodeState state) {
        synchronized (state) {
            if (!state.running) {
                return;
            }
            state.running = false;
            heartbeat.remove(state.name);
        }
        log.info("simulated node stopped node={}", state.name);
    }

    private void resume(NodeState state) {
        synchronized (state) {
            if (state.running) {
                return;
            }
            state.running = true;
        }
        postStatus(state);
        heartbeat.add(state.name, state.uid);
        for (Pod pod : pods.getIndexer().byIndex(BY_NODE, state.name)) {
            queue.add(key(pod));
        }
        log.info("simulated node started node={}", state.name);
    }

    private void postStatus(NodeState state) {
        if (!state.running) {
            return;
        }
        Instant now = clock.instant();
        Node cached = nodeInformer.getStore().getByKey(state.name);
        List<NodeCondition> previous = cached == null || cached.getStatus() == null
                || cached.getStatus().getConditions() == null ? List.of() : cached.getStatus().getConditions();
        try {
            writes.acquire();
            try {
                registration.postStatus(state.name, NodeObjects.status(state.name, state.index, shape, kubeletVersion,
                        now, previous));
                state.statusPostedAt = now;
            } finally {
                writes.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KubernetesClientException e) {
            log.info("node status update failed node={} error={}", state.name, e.getMessage());
        }
    }

    /** Sets or clears the stop annotation, so the node's state is visible (and settable) through the API. */
    private void annotateStopped(NodeState state, boolean stopped) {
        String value = stopped ? "\"true\"" : "null";
        client.nodes().resource(NodeRegistration.named(state.name)).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + STOPPED_ANNOTATION + "\":" + value + "}}}");
    }

    private void tick() {
        while (!closed) {
            Instant now = clock.instant();
            due.forEach((key, at) -> {
                if (!at.isAfter(now) && due.remove(key, at)) {
                    queue.add(key);
                }
            });
            for (NodeState state : nodes.values()) {
                if (state.running && state.statusPostedAt != null
                        && !state.statusPostedAt.plus(STATUS_REPORT_INTERVAL).isAfter(now)) {
                    state.statusPostedAt = now;
                    background.execute(() -> postStatus(state));
                }
            }
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void work() {
        while (!closed) {
            String key;
            try {
                key = queue.poll(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            try {
                look(key);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    log.info("pod step failed pod={} error={}", key, e.getMessage());
                    due.put(key, clock.instant().plusSeconds(1));
                }
            } catch (RuntimeException e) {
                log.warn("pod step failed pod={}", key, e);
                due.put(key, clock.instant().plusSeconds(1));
            } finally {
                queue.done(key);
            }
        }
    }

    /** Takes the next step of one pod's life, if its node is ours and running. */
    private void look(String key) {
        Pod pod = pods.getStore().getByKey(key);
        if (pod == null) {
            due.remove(key);
            return;
        }
        NodeState node = nodes.get(nodeName(pod));
        if (node == null || !node.running) {
            return;
        }
        Instant now = clock.instant();
        PodSteps step = PodSteps.next(pod, NodeObjects.internalIp(node.index),
                () -> NodeObjects.podIp(node.index, node.podAddresses.getAndIncrement()), now);
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (step.delete()) {
            // The containers are gone (there were none): finish the graceful deletion, as kubelet does.
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
            return;
        }
        if (step.status().isPresent()) {
            try {
                client.pods().inNamespace(namespace).resource(new PodBuilder(pod).withStatus(step.status().get())
                        .build()).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) { // a newer pod is on its way to the cache; its event brings it back
                    return;
                }
                throw e;
            }
        }
        step.recheckAt().ifPresentOrElse(at -> due.put(key, at), () -> due.remove(key));
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    @Override
    public void close() {
        closed = true;
        queue.shutDown();
        threads.forEach(Thread::interrupt);
        heartbeat.close();
        pods.close();
        nodeInformer.close();
        background.shutdownNow();
    }

    /** What this process knows of one of its nodes. */
    private final class NodeState implements SimulatedNode {
        final String name;
        final int index;
        final AtomicInteger podAddresses = new AtomicInteger();
        volatile String uid;
        volatile boolean running = true;
        volatile Instant statusPostedAt;

        NodeState(String name, int index) {
            this.name = name;
            this.index = index;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public void stop() {
            annotateStopped(this, true);
            halt(this);
        }

        @Override
        public void start() {
            annotateStopped(this, false);
            resume(this);
        }

        @Override
        public String toString() {
            return name + (running ? " (running)" : " (stopped)");
        }
    }
}
