package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.containerd.CniNetwork;
import io.kybern.kubelet.containerd.ContainerdSupervisor;
import io.kybern.kubelet.containerd.PodMasquerade;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.node.LeaseHeartbeat;
import io.kybern.kubelet.node.NodeLeases;
import io.kybern.kubelet.node.NodeRegistration;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStatus;
import io.kybern.kubelet.cri.api.ContainerStatusRequest;
import io.kybern.kubelet.cri.api.AttachRequest;
import io.kybern.kubelet.cri.api.ExecRequest;
import io.kybern.kubelet.cri.api.PortForwardRequest;
import io.kybern.kubelet.server.ContainerLogs;
import io.kybern.kubelet.server.ContainerStreams;
import io.kybern.kubelet.server.KubeletServer;
import io.kybern.kubelet.stats.NodeStatsProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent of this machine: its containerd (its own, supervised, unless an endpoint is given), its
 * Node with a pod CIDR and the CNI network for it, the Lease heartbeat, and a {@link PodWorker} for each pod
 * bound to the node and for each static pod of its manifests directory ({@link StaticPods}), woken by the
 * node's {@link RuntimeRelist} when its containers change. Stopping the
 * agent leaves the pods running; a new agent adopts them by the pod UIDs on
 * their sandboxes, and removes the sandboxes of pods that no longer exist.
 */
public final class NodeAgent implements AutoCloseable, ContainerLogs, ContainerStreams {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STATUS_REPORT_INTERVAL = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final AgentConfig config;
    private final KubeletServer.Serving serving;
    private KubeletServer kubeletServer;
    private NodeStatsProvider stats;
    private ContainerdSupervisor containerd;
    private CriClient cri;
    private LeaseHeartbeat heartbeat;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Service> services;
    private StaticPods staticPods;
    private RuntimeRelist relist;
    private KubeletEvents events;
    private PodWorker.Node node;
    private String runtimeVersion;
    private String kubeletVersion;
    private String podCidr;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final HostPortAdmission admission = new HostPortAdmission(
            () -> pods == null ? List.of() : pods.getStore().list());
    private Thread statusReporter;
    private volatile boolean closed;

    private NodeAgent(KubernetesClient client, AgentConfig config, KubeletServer.Serving serving) {
        this.client = client;
        this.config = config;
        this.serving = serving;
    }

    /** Starts the agent without the kubelet API (nothing can read its containers' logs through the API server). */
    public static NodeAgent start(KubernetesClient client, AgentConfig config) {
        return start(client, config, (SSLContext) null);
    }

    /**
     * Starts the agent; returns once its Node is registered and its pods are being run.
     *
     * @param kubeletTls the kubelet API's serving certificate and the CA its clients' certificates must chain to;
     *                   null to serve no kubelet API
     */
    public static NodeAgent start(KubernetesClient client, AgentConfig config, SSLContext kubeletTls) {
        NodeAgent agent = new NodeAgent(client, config,
                kubeletTls == null ? null : new KubeletServer.Serving(config.kubeletPort(), kubeletTls));
        try {
            agent.startRuntime();
            agent.startKubeletServer();
            agent.register();
            agent.watchPods();
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    /**
     * The InternalIP the agent registers its Node with, where the API server reaches its kubelet API: the one
     * configured, or this machine's first IPv4 address (on the interface of the default route, if any).
     */
    public static String internalIp(AgentConfig config) {
        return config.internalIp() != null ? config.internalIp() : HostNode.firstAddress();
    }

    public String nodeName() {
        return config.nodeName();
    }

    /** The node's pod CIDR, as registered. */
    public String podCidr() {
        return podCidr;
    }

    /** The CRI socket the agent uses. */
    public Path runtimeSocket() {
        return cri.socket();
    }

    /** The agent's own containerd, or null when it uses one it was pointed at. */
    public ContainerdSupervisor containerd() {
        return containerd;
    }

    private void startRuntime() {
        try {
            Files.createDirectories(config.dataDir());
            Files.createDirectories(config.podLogDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path socket;
        if (config.runtimeEndpoint() == null) {
            containerd = ContainerdSupervisor.start(config.containerdLayout());
            socket = containerd.socket();
        } else {
            socket = CriClient.socketOf(config.runtimeEndpoint());
            if (!Files.exists(socket)) {
                throw new IllegalStateException("--container-runtime-endpoint " + config.runtimeEndpoint()
                        + ": no such socket");
            }
        }
        cri = CriClient.connect(socket);
        var version = cri.version(CriClient.CALL_TIMEOUT);
        runtimeVersion = version.getRuntimeName() + "://" + version.getRuntimeVersion();
        log.info("container runtime ready endpoint={} runtime={}", socket, runtimeVersion);
    }

    private void startKubeletServer() {
        if (serving == null) {
            return;
        }
        stats = new NodeStatsProvider(config.nodeName(), cri, Path.of("/proc"), config.dataDir(), config.podLogDir(),
                config.dataDir().resolve("volumes"), Clock.systemUTC()).start();
        try {
            kubeletServer = KubeletServer.start(serving, this, this, stats::summary);
        } catch (IOException e) {
            throw new UncheckedIOException("the kubelet API could not listen on port " + serving.port(), e);
        }
    }

    /** The port of the kubelet API, as the Node publishes it (kubelet's default when it is not served). */
    public int kubeletPort() {
        return kubeletServer == null ? KubeletServer.DEFAULT_PORT : kubeletServer.port();
    }

    @Override
    public Source find(String namespace, String podName, String container, boolean previous) {
        Pod pod = pods == null ? null : pods.getStore().getByKey(namespace + "/" + podName);
        if (pod == null) {
            throw new NoSuchElementException("pod " + namespace + "/" + podName + " not found on this node");
        }
        PodRuntime runtime = PodRuntime.read(cri, StaticPods.runtimeUid(pod));
        ContainerStatus status = previous ? runtime.previous(container) : runtime.latest(container);
        if (status == null) {
            throw new NoSuchElementException(previous
                    ? "previous terminated container \"" + container + "\" in pod \"" + podName + "\" not found"
                    : "container \"" + container + "\" in pod \"" + podName + "\" not found");
        }
        String id = status.getId();
        return new Source(Path.of(status.getLogPath()), () -> {
            try {
                return cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                        .getStatus().getState() == ContainerState.CONTAINER_RUNNING;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
    }

    @Override
    public URI exec(String namespace, String podName, String container, List<String> command, Streams streams) {
        String id = runningContainer(namespace, podName, container);
        return URI.create(cri.runtime().exec(ExecRequest.newBuilder().setContainerId(id).addAllCmd(command)
                .setStdin(streams.stdin()).setStdout(streams.stdout()).setStderr(streams.stderr())
                .setTty(streams.tty()).build()).getUrl());
    }

    @Override
    public URI attach(String namespace, String podName, String container, Streams streams) {
        String id = runningContainer(namespace, podName, container);
        return URI.create(cri.runtime().attach(AttachRequest.newBuilder().setContainerId(id)
                .setStdin(streams.stdin()).setStdout(streams.stdout()).setStderr(streams.stderr())
                .setTty(streams.tty()).build()).getUrl());
    }

    @Override
    public URI portForward(String namespace, String podName, List<Integer> ports) {
        PodRuntime runtime = PodRuntime.read(cri, StaticPods.runtimeUid(knownPod(namespace, podName)));
        if (runtime.ready == null) {
            throw new NoSuchElementException("failed to find sandbox for pod \"" + podName + "\"");
        }
        return URI.create(cri.runtime().portForward(PortForwardRequest.newBuilder()
                .setPodSandboxId(runtime.ready.getId()).addAllPort(ports).build()).getUrl());
    }

    /** The pod as this agent runs it; kubelet's message when it has no such pod. */
    private Pod knownPod(String namespace, String podName) {
        Pod pod = pods == null ? null : pods.getStore().getByKey(namespace + "/" + podName);
        if (pod == null) {
            throw new NoSuchElementException("pod does not exist");
        }
        return pod;
    }

    /** The running instance of a container: kubelet finds exec and attach targets among running ones only. */
    private String runningContainer(String namespace, String podName, String container) {
        PodRuntime runtime = PodRuntime.read(cri, StaticPods.runtimeUid(knownPod(namespace, podName)));
        ContainerStatus status = runtime.latest(container);
        if (status == null || status.getState() != ContainerState.CONTAINER_RUNNING) {
            throw new NoSuchElementException("container not found (\"" + container + "\")");
        }
        return status.getId();
    }

    private void register() {
        kubeletVersion = client.getKubernetesVersion().getGitVersion();
        String name = config.nodeName();
        Node existing = client.nodes().withName(name).get();
        if (existing != null && existing.getSpec() != null && existing.getSpec().getPodCIDR() != null) {
            podCidr = existing.getSpec().getPodCIDR();
        } else {
            podCidr = PodCidrs.firstFree(config.clusterCidr(), client.nodes().list().getItems());
        }
        String internalIp = internalIp(config);
        Node registered = new NodeRegistration(client).register(HostNode.node(name, podCidr, internalIp, kubeletPort(),
                runtimeVersion, kubeletVersion, config.dataDir(), Instant.now()));
        if (registered.getSpec() == null || registered.getSpec().getPodCIDR() == null) {
            // An existing Node without a pod CIDR: set it (it can be set once, never changed).
            registered = client.nodes().resource(NodeRegistration.named(name)).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"podCIDR\":\"" + podCidr + "\",\"podCIDRs\":[\"" + podCidr + "\"]}}");
        }
        podCidr = registered.getSpec().getPodCIDR();
        if (containerd != null) {
            // A runtime we were pointed at has its own network configuration; ours gets the node's.
            try {
                new PodMasquerade(podCidr, config.bridgeName()).install();
                new CniNetwork(podCidr, config.bridgeName()).writeTo(containerd.layout().cniConfDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while setting up the pods' network", e);
            }
        }
        heartbeat = new LeaseHeartbeat(new NodeLeases(client), Clock.systemUTC());
        heartbeat.add(name, registered.getMetadata().getUid());
        node = new PodWorker.Node(name, internalIp, config.podLogDir(), config.dataDir().resolve("volumes"));
        events = new KubeletEvents(client, name);
        statusReporter = Thread.ofVirtual().name("node-status").start(this::reportStatus);
        log.info("node registered node={} podCIDR={} internalIP={}", name, podCidr, internalIp);
    }

    private void reportStatus() {
        while (!closed) {
            try {
                Thread.sleep(STATUS_REPORT_INTERVAL);
                Node current = client.nodes().withName(config.nodeName()).get();
                List<NodeCondition> previous = current == null || current.getStatus() == null
                        || current.getStatus().getConditions() == null ? List.of() : current.getStatus().getConditions();
                new NodeRegistration(client).postStatus(config.nodeName(), HostNode.status(config.nodeName(),
                        node.hostIp(), kubeletPort(), runtimeVersion, kubeletVersion, config.dataDir(), Instant.now(),
                        previous));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.info("node status update failed: {}", e.getMessage());
            }
        }
    }

    private void watchPods() {
        // Containers get the Services' variables from this cache, as kubelet's from its service lister: two API
        // reads for every container started would cost a burst of pods more than the whole cache does. Filled
        // before the pods start, so that the Services that exist then are all there.
        services = client.services().inAnyNamespace().runnableInformer(0);
        awaitFilled(services, "Service");
        pods = client.pods().inAnyNamespace().withField("spec.nodeName", config.nodeName()).runnableInformer(0);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                follow(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                follow(after);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                PodWorker worker = workers.get(pod.getMetadata().getUid());
                if (worker != null) {
                    worker.gone();
                }
            }
        });
        awaitFilled(pods, "pod");
        removeOrphanSandboxes();
        startStaticPods();
        relist = new RuntimeRelist(cri, uid -> {
            PodWorker worker = workers.get(uid);
            if (worker != null) {
                worker.runtimeChanged();
            }
        }).start();
    }

    private static void awaitFilled(SharedIndexInformer<?> informer, String kind) {
        try {
            informer.start().toCompletableFuture().get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing " + kind + "s", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the node agent's " + kind + " cache did not fill", e);
        }
    }

    /** Every Service the agent's cache holds (empty before it is filled). */
    private List<Service> services() {
        return services == null ? List.of() : services.getStore().list();
    }

    private synchronized void follow(Pod pod) {
        // A mirror pod only shows a static pod, which runs from its file.
        if (closed || !config.nodeName().equals(pod.getSpec().getNodeName()) || StaticPods.isMirror(pod)) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        PodWorker worker = workers.get(uid);
        if (worker != null) {
            worker.update(pod);
        } else {
            workers.put(uid, new PodWorker(client, cri, events, admission, this::services, node, pod,
                    () -> workers.remove(uid)));
        }
    }

    /** Runs the static pods of the manifests directory beside the API's. */
    private void startStaticPods() {
        staticPods = new StaticPods(config.staticPodPath(), config.nodeName(), client, () -> pods.getStore().list(),
                new StaticPods.Runner() {
                    @Override
                    public void run(Pod pod) {
                        synchronized (NodeAgent.this) {
                            if (!closed && !workers.containsKey(pod.getMetadata().getUid())) {
                                String uid = pod.getMetadata().getUid();
                                workers.put(uid, new PodWorker(client, cri, events, admission,
                                        NodeAgent.this::services, node, pod, () -> workers.remove(uid)));
                            }
                        }
                    }

                    @Override
                    public void remove(String uid) {
                        PodWorker worker = workers.get(uid);
                        if (worker != null) {
                            worker.removed();
                        }
                    }
                });
    }

    /** Sandboxes of pods that are gone (deleted while no agent ran, or static pods whose file went): removed. */
    private void removeOrphanSandboxes() {
        Set<String> known = pods.getStore().list().stream().map(StaticPods::runtimeUid)
                .collect(Collectors.toCollection(HashSet::new));
        known.addAll(StaticPods.read(config.staticPodPath(), config.nodeName(), new HashMap<>()).keySet());
        try {
            for (PodSandbox sandbox : cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                    .getItemsList()) {
                String uid = sandbox.getLabelsMap().get(PodRuntime.POD_UID);
                if (uid != null && !known.contains(uid)) {
                    log.info("removing the sandbox of a pod that is gone pod={}/{} uid={}",
                            sandbox.getMetadata().getNamespace(), sandbox.getMetadata().getName(), uid);
                    PodRuntime.removeSandbox(cri, sandbox.getId());
                    PodVolumes.remove(config.dataDir().resolve("volumes"), uid);
                }
            }
        } catch (IOException e) {
            log.warn("orphan pod volumes not removed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (StatusRuntimeException | KubernetesClientException e) {
            log.warn("orphan sandbox clean-up failed: {}", e.getMessage());
        }
    }

    /** Stops the agent and its containerd; the pods' containers keep running (their shims hold them). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (statusReporter != null) {
            statusReporter.interrupt();
        }
        if (relist != null) {
            relist.close();
        }
        if (staticPods != null) {
            staticPods.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (services != null) {
            services.close();
        }
        workers.values().forEach(PodWorker::stop);
        workers.clear();
        if (heartbeat != null) {
            heartbeat.close();
        }
        if (events != null) {
            events.close();
        }
        if (kubeletServer != null) {
            kubeletServer.close();
        }
        if (stats != null) {
            stats.close();
        }
        if (cri != null) {
            cri.close();
        }
        if (containerd != null) {
            containerd.close();
        }
    }
}
