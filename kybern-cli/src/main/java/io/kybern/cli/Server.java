package io.kybern.cli;

import io.kybern.api.discovery.Discovery;
import io.kybern.api.discovery.ServerAddress;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.tls.JdkTls;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.apiserver.DiscoveryEndpoints;
import io.kybern.apiserver.KubeApiServer;
import io.kybern.apiserver.crd.CustomResourceCatalog;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.node.KubeletClient;
import io.kybern.apiserver.pki.CertifiedKey;
import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.pki.Kubeconfig;
import io.kybern.apiserver.pki.ServiceAccountKey;
import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.pki.ServingTls;
import io.kybern.controllers.ControllerManager;
import io.kybern.controllers.runtime.SharedInformers;
import io.kybern.cli.inprocess.InProcessTransport;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.registry.EmbeddedRegistry;
import io.kybern.images.storage.ImageStore;
import io.kybern.images.testimages.TestImages;
import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.sim.SimulatedNodes;
import io.kybern.scheduler.ElectedScheduler;
import io.kybern.scheduler.Scheduler;
import io.kybern.store.Store;
import io.kybern.store.Stores;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A running Kybern server: its parts started in dependency order, each behind the readiness of the
 * one before (datastore, then certificates, then the API server, then the kubeconfig that points at
 * it), and stopped in reverse on SIGTERM or {@link #close()}.
 */
public final class Server implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final Store store;
    private final KubeApiServer apiServer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread shutdownHook;
    /** The informers the controllers and the scheduler share, with the client they watch through. */
    private KubernetesClient informersClient;
    private SharedInformers sharedInformers;
    private KubernetesClient controllersClient;
    private ControllerManager controllers;
    private KubernetesClient schedulerClient;
    private ElectedScheduler scheduler;
    private KubernetesClient simulatedNodesClient;
    private SimulatedNodes simulatedNodes;
    private AutoCloseable metricsApi;
    private KubernetesClient agentClient;
    private NodeAgent agent;
    private EmbeddedRegistry registry;
    /** Guarded by this: whether {@link #start} has started every part, and whether an agent joined. */
    private boolean started;
    private boolean agentsJoined;

    private Server(Store store, KubeApiServer apiServer) {
        this.store = store;
        this.apiServer = apiServer;
        this.shutdownHook = new Thread(this::close, "kybern-shutdown");
    }

    public static Server start(ServerConfig config) {
        long started = System.nanoTime();
        InetAddress bind;
        try {
            bind = InetAddress.getByName(config.bindAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The certificates and keys need nothing from the datastore: on a first start their key pairs are
        // generated while it opens (each of the two takes a few hundred milliseconds on a loaded machine).
        FutureTask<Credentials> credentials = new FutureTask<>(() -> Credentials.loadOrCreate(config, bind, started));
        Thread.ofVirtual().name("certificates").start(credentials);
        Stores.Endpoint endpoint = Stores.describe(config.datastoreEndpoint(), config.dataDir());
        log.info("starting datastore kind={} location={}", endpoint.kind(), endpoint.location());
        Store store = Stores.open(config.datastoreEndpoint(), config.dataDir());
        try {
            log.info("datastore ready kind={} revision={} elapsed_ms={}", endpoint.kind(), store.currentRevision(),
                    elapsedMillis(started));
            Credentials ready = Credentials.await(credentials);
            ClusterPki pki = ready.pki();
            CustomResourceCatalog catalog = new CustomResourceCatalog(new BuiltInResources());
            log.info("resource catalog ready resources={} elapsed_ms={}", catalog.all().size(),
                    elapsedMillis(started));
            AtomicReference<KubeApiServer> running = new AtomicReference<>();
            KubeApiServer apiServer = KubeApiServer.start(store, catalog,
                    new DiscoveryEndpoints(new Discovery(catalog), () -> List.of(ServerAddress.forAllClients(
                            advertised(bind, running.get() == null ? config.httpsPort()
                                    : running.get().address().getPort())))),
                    new KubeApiServer.Config(new InetSocketAddress(bind, config.httpsPort()),
                            ready.servingTls(), KybernVersion.version(),
                            ServingNames.firstAddress(ServingNames.DEFAULT_SERVICE_CIDR).getHostAddress(),
                            advertiseAddress(bind), ready.serviceAccountKey()));
            running.set(apiServer);
            // Node agents' kubelet API, for the subresources they serve (pods/log, exec...).
            apiServer.connectNodes(new KubeletClient(ready.kubeletClientTls()));
            InetAddress clientFacing = bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind;
            String url = Kubeconfig.serverUrl(clientFacing, apiServer.address().getPort());
            Kubeconfig.admin(pki, url).write(config.writeKubeconfig());
            Server server = new Server(store, apiServer);
            // Agents that join from other machines get their kubelet API's certificate from the same server CA.
            apiServer.signKubeletCertificates(pki, server::agentJoined);
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            if (config.controllers()) {
                try {
                    server.startControllers(config, endpoint);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw new IllegalStateException("controllers could not start", e);
                }
            }
            if (config.scheduler()) {
                try {
                    server.startScheduler(config, endpoint);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw new IllegalStateException("scheduler could not start", e);
                }
            }
            if (config.registry() != null) {
                try {
                    server.registry = EmbeddedRegistry.start(config.dataDir(), config.registry());
                } catch (IOException | RuntimeException | InterruptedException e) {
                    server.close();
                    throw new IllegalStateException("image registry could not start on " + config.registry(), e);
                }
            }
            if (config.simulatedNodes().count() > 0) {
                try {
                    server.startSimulatedNodes(config);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw new IllegalStateException("simulated nodes could not start", e);
                }
            }
            if (config.agent() != null) {
                try {
                    server.startAgent(config, pki);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw new IllegalStateException("the node agent could not start", e);
                }
            }
            server.startedParts();
            log.info("server ready url={} kubeconfig={} elapsed_ms={}", url, config.writeKubeconfig(),
                    elapsedMillis(started));
            return server;
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            store.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The controllers, as clients of this server's own API over HTTPS with the admin kubeconfig (the API
     * is the only bus). Several servers can share an etcd datastore, so there they take turns through
     * leader election; with SQLite or memory this server is the only one.
     */
    private void startControllers(ServerConfig config, Stores.Endpoint endpoint) throws IOException {
        // As in Kubernetes, what the controllers write is managed by "kube-controller-manager" in managedFields.
        controllersClient = inProcessClient(config, "kube-controller-manager");
        boolean leaderElection = endpoint.kind().equals("etcd");
        String identity = InetAddress.getLocalHost().getHostName() + "_" + UUID.randomUUID();
        controllers = ControllerManager.start(controllersClient, sharedInformers(config),
                new ControllerManager.Config(leaderElection, identity, config.clock(),
                        config.dataDir().resolve("storage").toAbsolutePath()));
    }

    /**
     * The informers of the controllers and the scheduler: one cache of the pods (and nodes, claims...) for both
     * rather than one each, the largest part of the heap at ten thousand pods (decision 0008). Each takes its
     * shares while it runs, under its own leader election; the informers list and watch through a client of
     * their own, which neither closes when it stops.
     */
    private SharedInformers sharedInformers(ServerConfig config) throws IOException {
        if (sharedInformers == null) {
            informersClient = inProcessClient(config, null);
            sharedInformers = new SharedInformers(informersClient);
        }
        return sharedInformers;
    }

    /** Simulated nodes, as clients of this server's API like any node agent (architecture: the API is the bus). */
    private void startSimulatedNodes(ServerConfig config) throws IOException {
        simulatedNodesClient = inProcessClient(config, null);
        simulatedNodes = SimulatedNodes.start(simulatedNodesClient, config.simulatedNodes(), config.clock());
    }

    /**
     * Every part is running: the resource metrics API is served if there are nodes to report on (simulated ones,
     * this server's agent, or agents that joined it before; decision 0020), else once an agent joins.
     */
    private synchronized void startedParts() {
        started = true;
        if (simulatedNodes != null || agent != null || agentsJoined
                || apiServer.anyNode(node -> !isSimulated(node))) {
            serveResourceMetrics();
        }
    }

    /** An agent on another machine got its kubelet serving certificate: its node's metrics are served from now. */
    private synchronized void agentJoined() {
        agentsJoined = true;
        if (started) {
            serveResourceMetrics();
        }
    }

    /**
     * The resource metrics API, served by this API server as metrics-server's is through aggregation (decisions
     * 0016 and 0020): the simulated nodes' computed from their pods, the real agents' from their summaries.
     * Registered once, never after the server stopped.
     */
    private synchronized void serveResourceMetrics() {
        if (metricsApi != null || stopped.getCount() == 0) {
            return;
        }
        metricsApi = apiServer.serveResourceMetrics(simulatedNodes == null ? null : simulatedNodes.metricsApi(),
                Server::isSimulated);
    }

    private static boolean isSimulated(JsonNode node) {
        return "true".equals(node.path("metadata").path("labels").path(SimulatedNodes.SIMULATED_LABEL).asString(""));
    }

    /**
     * The node agent of this machine, a client of the API like any other (its field manager is kubelet's),
     * with its containerd under the data directory.
     */
    private void startAgent(ServerConfig config, ClusterPki pki) throws IOException {
        agentClient = adminClient(config, "kubelet");
        AgentConfig agentConfig = config.agent();
        if (registry != null && agentConfig.registryMirror() == null) {
            ensureBuiltInImages(config.dataDir());
            // containerd pulls docker.io's names (busybox, kybern/pause) from the embedded registry.
            InetSocketAddress address = registry.address();
            String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
            agentConfig = agentConfig.withRegistryMirror(host + ":" + address.getPort());
        }
        agent = NodeAgent.start(agentClient, agentConfig, kubeletTls(pki, agentConfig));
    }

    /**
     * busybox and the pause image, built from the machine's busybox-static into the image store when
     * missing: without a sandbox image no pod starts, and there is no internet to pull one from. Built once
     * per data directory; the digests are the same each time.
     */
    private static void ensureBuiltInImages(Path dataDir) throws IOException {
        ImageStore images = ImageStore.inDataDir(dataDir);
        boolean missing = Stream.of(TestImages.BUSYBOX, TestImages.PAUSE)
                .anyMatch(image -> images.resolve(image.repository(), image.reference()).isEmpty());
        if (!missing) {
            return;
        }
        try {
            for (ImageBuilder.Result built : TestImages.build(images, (id, status) -> log.info(
                    "building built-in images step={} status={}", id, status))) {
                log.info("built-in image ready name={} digest={}", built.name(), built.manifest());
            }
        } catch (IllegalStateException e) {
            log.warn("built-in images not built, pods cannot start until a pause image is imported: {}",
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the built-in images", e);
        }
    }

    /**
     * The in-process agent's kubelet API: a serving certificate from the cluster's server CA for this
     * machine's names and addresses (the Node's InternalIP is one of them), and only the cluster's client
     * certificates accepted.
     */
    private static SSLContext kubeletTls(ClusterPki pki, AgentConfig agent) throws IOException {
        List<String> names = new ArrayList<>(List.of(agent.nodeName(), "localhost"));
        if (agent.internalIp() != null) {
            names.add(agent.internalIp());
        }
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (!address.isLinkLocalAddress()) {
                    names.add(address.getHostAddress().replaceFirst("%.*$", ""));
                }
            }
        }
        CertifiedKey serving = pki.issueServingCertificate(agent.nodeName(), new ServingNames(List.of(), List.of())
                .plus(names), ClusterPki.LEAF_VALIDITY);
        return JdkTls.of(serving.key(), serving.certificate(), pki.clientCaCertificate());
    }

    /**
     * The cluster's certificates and the service accounts' signing key, loaded or (first start) made, and the
     * TLS contexts the API server serves and reaches node agents with. The contexts are made here too, while
     * the datastore opens, because each costs a cold JVM some tens of milliseconds.
     */
    private record Credentials(ClusterPki pki, KeyPair serviceAccountKey, SslContext servingTls,
            SSLContext kubeletClientTls) {

        static Credentials loadOrCreate(ServerConfig config, InetAddress bind, long started) throws IOException {
            List<String> sans = new ArrayList<>(config.tlsSans());
            if (!bind.isAnyLocalAddress()) {
                sans.add(bind.getHostAddress());
            }
            ClusterPki pki = ClusterPki.loadOrCreate(config.dataDir().resolve("tls"),
                    ServingNames.standard().plus(sans), Clock.systemUTC());
            KeyPair serviceAccountKey = ServiceAccountKey.loadOrCreate(pki.directory());
            // As kube-apiserver's --kubelet-client-certificate: the API server's own client certificate,
            // which node agents require, and the server CA, which their serving certificates chain to.
            CertifiedKey kubeletClient = pki.issueClientCertificate("kube-apiserver-kubelet-client",
                    List.of(ClusterPki.ADMIN_GROUP), ClusterPki.LEAF_VALIDITY);
            SSLContext kubeletClientTls = JdkTls.of(kubeletClient.key(), kubeletClient.certificate(),
                    pki.serverCaCertificate());
            SslContext servingTls = ServingTls.forApiServer(pki);
            log.info("certificates ready dir={} elapsed_ms={}", pki.directory(), elapsedMillis(started));
            return new Credentials(pki, serviceAccountKey, servingTls, kubeletClientTls);
        }

        static Credentials await(FutureTask<Credentials> task) throws IOException, InterruptedException {
            try {
                return task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** The node agent this server runs, or null without one. */
    NodeAgent agent() {
        return agent;
    }

    /**
     * An admin client over HTTPS, as a node agent on another machine is one, whose User-Agent (and so field
     * manager) starts with {@code agent}.
     */
    private static KubernetesClient adminClient(ServerConfig config, String agent) throws IOException {
        return InProcessClients.of(adminConfig(config, agent));
    }

    /**
     * A client of the controllers, the scheduler or the simulated nodes: the admin's, reaching this server's
     * handler without a connection (decision 0026), as the admin certificate would authenticate it.
     */
    private KubernetesClient inProcessClient(ServerConfig config, String agent) throws IOException {
        UserInfo admin = new UserInfo(ClusterPki.ADMIN_USER, List.of(ClusterPki.ADMIN_GROUP, "system:authenticated"));
        return InProcessClients.of(adminConfig(config, agent), new InProcessTransport(apiServer.handler(), admin));
    }

    /** The admin kubeconfig's client settings; the User-Agent starts with {@code agent} when one is given. */
    private static Config adminConfig(ServerConfig config, String agent) throws IOException {
        Config clientConfig = Config.fromKubeconfig(Files.readString(config.writeKubeconfig()));
        if (agent != null) {
            clientConfig.setUserAgent(agent + "/" + clientConfig.getUserAgent());
        }
        return clientConfig;
    }

    /** The informers this server's controllers and scheduler share, or null when neither runs. */
    public SharedInformers sharedInformers() {
        return sharedInformers;
    }

    /** The simulated nodes this server runs, or null without any. */
    public SimulatedNodes simulatedNodes() {
        return simulatedNodes;
    }

    /**
     * The scheduler, like the controllers a client of this server's API with its own connection (binding
     * traffic does not queue behind the controllers'), started in the background as they are. Servers
     * sharing an etcd datastore take turns through the kube-system/kube-scheduler Lease.
     */
    private void startScheduler(ServerConfig config, Stores.Endpoint endpoint) throws IOException {
        schedulerClient = inProcessClient(config, "kube-scheduler");
        boolean leaderElection = endpoint.kind().equals("etcd");
        String identity = InetAddress.getLocalHost().getHostName() + "_" + UUID.randomUUID();
        scheduler = ElectedScheduler.start(schedulerClient, sharedInformers(config),
                new ElectedScheduler.Config(Scheduler.Config.defaults(config.clock()), leaderElection, identity));
    }

    /** The embedded image registry, or null when it is disabled. */
    EmbeddedRegistry registry() {
        return registry;
    }

    public Store store() {
        return store;
    }

    public InetSocketAddress apiAddress() {
        return apiServer.address();
    }

    void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        log.info("stopping");
        if (agent != null) {
            agent.close();
        }
        if (agentClient != null) {
            agentClient.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (schedulerClient != null) {
            schedulerClient.close();
        }
        if (metricsApi != null) {
            try {
                metricsApi.close();
            } catch (Exception e) {
                log.debug("unregistering the metrics API failed", e);
            }
        }
        if (simulatedNodes != null) {
            simulatedNodes.close();
        }
        if (simulatedNodesClient != null) {
            simulatedNodesClient.close();
        }
        if (controllers != null) {
            controllers.close();
            controllersClient.close();
        }
        if (sharedInformers != null) {
            sharedInformers.close();
            informersClient.close();
        }
        if (registry != null) {
            registry.close();
        }
        apiServer.close();
        store.close();
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from the hook itself.
        }
        log.info("stopped");
    }

    /** The address pods reach the server at: the bind address, or this machine's first non-loopback one. */
    private static String advertiseAddress(InetAddress bind) throws IOException {
        if (!bind.isAnyLocalAddress()) {
            return bind.getHostAddress();
        }
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (address instanceof java.net.Inet4Address) {
                    return address.getHostAddress();
                }
            }
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static String advertised(InetAddress bind, int port) {
        InetAddress host = bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind;
        return host.getHostAddress() + ":" + port;
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
