package io.kybern.bench;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The API scenarios, each run the same way against one peer through its fabric8 clients. Objects are
 * realistic and small: ConfigMaps with two labels and 512 bytes of data, Pods with one container,
 * resources, ports, environment and a node name, about 1 KiB of JSON each.
 *
 * <p>Threading: one instance per peer; the scenarios run one after another, each on its own threads.
 */
final class ApiScenarios implements AutoCloseable {

    static final String NAMESPACE = "bench";
    static final String LIST_NAMESPACE = "bench-list";
    static final String WATCH_NAMESPACE = "bench-watch";
    static final String PODS_NAMESPACE = "bench-pods";
    /** The Nodes the loaded pods are bound to, in turn. */
    static final int POD_NODES = 100;
    /** How many of its own ConfigMaps each worker updates in turn. */
    private static final int UPDATE_SET = 64;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final String PAYLOAD = payload(512);

    /** The settings every scenario reads. */
    record Settings(Duration warmup, Duration window, int clients, int watchers, int watchRate, int listItems,
            int pods, int listRepeats) {
    }

    private final ApiPeer peer;
    private final Settings settings;
    private final List<KubernetesClient> clients = new ArrayList<>();
    /** Per worker: every ConfigMap it created, and the latest state of the first few. */
    private final List<List<String>> created = new ArrayList<>();
    private final List<List<ConfigMap>> mine = new ArrayList<>();

    ApiScenarios(ApiPeer peer, Settings settings) {
        this.peer = peer;
        this.settings = settings;
        for (int i = 0; i < settings.clients(); i++) {
            clients.add(peer.client());
            created.add(new ArrayList<>());
            mine.add(new ArrayList<>());
        }
        for (String ns : List.of(NAMESPACE, LIST_NAMESPACE, WATCH_NAMESPACE, PODS_NAMESPACE)) {
            clients.getFirst().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).create();
        }
    }

    /** Creates, gets and updates of ConfigMaps in a namespace of their own, for the JIT's sake. */
    void warmUp(Duration duration) throws InterruptedException {
        clients.getFirst().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-warmup")
                .endMetadata().build()).create();
        ClosedLoop.run(settings.clients(), Duration.ZERO, duration, worker -> {
            KubernetesClient client = clients.get(worker);
            long[] n = {0};
            return () -> {
                var configMaps = client.configMaps().inNamespace("bench-warmup");
                ConfigMap done = configMaps.resource(configMap("warm-" + worker + "-" + n[0]++, worker)).create();
                ConfigMap got = configMaps.withName(done.getMetadata().getName()).get();
                configMaps.resource(new ConfigMapBuilder(got).addToData("turn", "1").build()).update();
                return ClosedLoop.Outcome.DONE;
            };
        });
    }

    /**
     * ConfigMap creates by every client, each on names of its own; with the CPU time the server and this
     * process (the clients) spent per create in the measured window, which the machine's load moves far less
     * than throughput: on a loaded machine the two compete with everything else for the same cores.
     */
    Result create() throws InterruptedException {
        CpuWindow cpu = CpuWindow.start(peer, settings.warmup(), settings.window());
        ClosedLoop.Measurement m = ClosedLoop.run(settings.clients(), settings.warmup(), settings.window(), worker -> {
            KubernetesClient client = clients.get(worker);
            List<String> names = created.get(worker);
            List<ConfigMap> objects = mine.get(worker);
            return () -> {
                String name = "cm-" + worker + "-" + names.size();
                ConfigMap done = client.configMaps().inNamespace(NAMESPACE).resource(configMap(name, worker)).create();
                names.add(name);
                if (objects.size() < UPDATE_SET) {
                    objects.add(done);
                }
                return ClosedLoop.Outcome.DONE;
            };
        });
        return withCpu(result(m), cpu, m);
    }

    /** The result with the server's and the clients' CPU per operation in its window added. */
    private static Result withCpu(Result result, CpuWindow cpu, ClosedLoop.Measurement m) throws InterruptedException {
        Map<String, Double> extras = new LinkedHashMap<>(result.extras());
        cpu.perOperation(m.done()).forEach(extras::put);
        return new Result(result.throughput(), result.p50Ms(), result.p99Ms(), extras);
    }

    /** GETs of ConfigMaps created before, picked at random. */
    Result get() throws InterruptedException {
        List<String> names = created.stream().flatMap(List::stream).toList();
        if (names.isEmpty()) {
            throw new IllegalStateException("nothing was created to get");
        }
        ClosedLoop.Measurement m = ClosedLoop.run(settings.clients(), settings.warmup(), settings.window(), worker -> {
            KubernetesClient client = clients.get(worker);
            return () -> {
                String name = names.get(ThreadLocalRandom.current().nextInt(names.size()));
                if (client.configMaps().inNamespace(NAMESPACE).withName(name).get() == null) {
                    throw new IllegalStateException("configmap " + name + " is missing");
                }
                return ClosedLoop.Outcome.DONE;
            };
        });
        return result(m);
    }

    /**
     * Updates (PUT with the resourceVersion last returned, so a lost update would be a 409) of each
     * client's own ConfigMaps in turn: no client races another, so every update should succeed.
     */
    Result update() throws InterruptedException {
        ClosedLoop.Measurement m = ClosedLoop.run(settings.clients(), settings.warmup(), settings.window(), worker -> {
            KubernetesClient client = clients.get(worker);
            List<ConfigMap> objects = mine.get(worker);
            long[] turn = {0};
            return () -> {
                int index = (int) (turn[0]++ % objects.size());
                ConfigMap next = new ConfigMapBuilder(objects.get(index)).addToData("turn", Long.toString(turn[0]))
                        .build();
                objects.set(index, client.configMaps().inNamespace(NAMESPACE).resource(next).update());
                return ClosedLoop.Outcome.DONE;
            };
        });
        return result(m);
    }

    /** Loads {@code listItems} ConfigMaps into a namespace of their own. */
    void loadListNamespace(Progress progress) throws Exception {
        load(settings.listItems(), "[" + peer.name() + "] loading " + settings.listItems() + " configmaps",
                progress, (client, i) -> client.configMaps().inNamespace(LIST_NAMESPACE)
                        .resource(configMap("item-" + i, 0)).create());
    }

    /**
     * Full LISTs of that namespace by every client, as a consistent (not cached) read; with the CPU time per
     * LIST of the server and of the clients, who decode every item.
     */
    Result list() throws InterruptedException {
        CpuWindow cpu = CpuWindow.start(peer, settings.warmup(), settings.window());
        ClosedLoop.Measurement m = ClosedLoop.run(settings.clients(), settings.warmup(), settings.window(), worker -> {
            KubernetesClient client = clients.get(worker);
            return () -> {
                int items = client.configMaps().inNamespace(LIST_NAMESPACE).list().getItems().size();
                if (items != settings.listItems()) {
                    throw new IllegalStateException("listed " + items + " configmaps, not " + settings.listItems());
                }
                return ClosedLoop.Outcome.DONE;
            };
        });
        return withCpu(result(m), cpu, m);
    }

    /**
     * One writer changes a ConfigMap at a steady rate while {@code watchers} watches (spread over the
     * clients) follow its namespace; the latency of a delivery is the time the event reached a watcher
     * minus the time the write call returned.
     */
    Result watch() throws InterruptedException {
        KubernetesClient writer = clients.getFirst();
        ConfigMap object = writer.configMaps().inNamespace(WATCH_NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("watched").endMetadata().addToData("seq", "-1").build()).create();
        Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
        List<Watcher<ConfigMap>> recorders = new ArrayList<>();
        List<Map<Long, Long>> seenAt = new ArrayList<>();
        AtomicLong closedWithError = new AtomicLong();
        List<Watch> watches = new ArrayList<>();
        try {
            for (int w = 0; w < settings.watchers(); w++) {
                Map<Long, Long> seen = new ConcurrentHashMap<>();
                seenAt.add(seen);
                Watcher<ConfigMap> recorder = new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap resource) {
                        long at = System.nanoTime();
                        String seq = resource.getData() == null ? null : resource.getData().get("seq");
                        if (action == Action.MODIFIED && seq != null) {
                            seen.putIfAbsent(Long.parseLong(seq), at);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        closedWithError.incrementAndGet();
                    }
                };
                recorders.add(recorder);
                watches.add(clients.get(w % clients.size()).configMaps().inNamespace(WATCH_NAMESPACE)
                        .watch(recorder));
            }
            long start = System.nanoTime();
            long windowStart = start + settings.warmup().toNanos();
            long windowEnd = windowStart + settings.window().toNanos();
            long interval = TimeUnit.SECONDS.toNanos(1) / settings.watchRate();
            long next = System.nanoTime();
            long seq = 0;
            while (next < windowEnd) {
                LockSupport.parkNanos(next - System.nanoTime());
                ConfigMap change = new ConfigMapBuilder(object).addToData("seq", Long.toString(seq)).build();
                object = writer.configMaps().inNamespace(WATCH_NAMESPACE).resource(change).update();
                long acked = System.nanoTime();
                if (acked >= windowStart && acked <= windowEnd) {
                    ackedAt.put(seq, acked);
                }
                seq++;
                next = Math.max(next + interval, acked);
            }
            long drainUntil = System.nanoTime() + DRAIN_NANOS;
            while (System.nanoTime() < drainUntil && !allSeen(ackedAt, seenAt)) {
                Thread.sleep(20);
            }
        } finally {
            for (Watch watch : watches) {
                watch.close();
            }
        }
        Latencies latencies = new Latencies();
        long early = 0;
        long lost = 0;
        for (Map<Long, Long> seen : seenAt) {
            for (Map.Entry<Long, Long> ack : ackedAt.entrySet()) {
                Long at = seen.get(ack.getKey());
                if (at == null) {
                    lost++;
                } else {
                    if (at < ack.getValue()) {
                        early++;
                    }
                    latencies.recordNanos(at - ack.getValue());
                }
            }
        }
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("changes", (double) ackedAt.size());
        extras.put("events before ack", (double) early);
        extras.put("lost events", (double) lost);
        extras.put("watches failed", (double) closedWithError.get());
        return Result.of(latencies.count() / (settings.window().toNanos() / 1e9), latencies, extras);
    }

    private static boolean allSeen(Map<Long, Long> acked, List<Map<Long, Long>> seenAt) {
        for (Map<Long, Long> seen : seenAt) {
            if (!seen.keySet().containsAll(acked.keySet())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads {@code pods} Pods into a namespace of their own, through every client at once, after the Nodes
     * they are bound to: a pod bound to a Node that does not exist is deleted by the pod garbage collector (as
     * Kubernetes' does, 40 s after it sees it), and the measured LISTs would lose pods while they run.
     */
    void loadPods(Progress progress) throws Exception {
        for (int i = 0; i < POD_NODES; i++) {
            clients.getFirst().nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName(i))
                    .endMetadata().build()).create();
        }
        load(settings.pods(), "[" + peer.name() + "] loading " + settings.pods() + " pods", progress,
                (client, i) -> client.pods().inNamespace(PODS_NAMESPACE).resource(pod(i)).create());
    }

    /**
     * LISTs of every pod at resourceVersion=0, one at a time: the server's answer read whole as bytes by
     * fabric8's HTTP client (what the server costs), and separately as typed objects (what a fabric8
     * user waits for, the client's decoding included).
     */
    Result listPods() throws Exception {
        KubernetesClient client = clients.getFirst();
        HttpClient http = client.getHttpClient();
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + PODS_NAMESPACE
                + "/pods?resourceVersion=0";
        HttpRequest request = http.newHttpRequestBuilder().uri(url).build();
        Latencies raw = new Latencies();
        Latencies typed = new Latencies();
        long bytes = 0;
        for (int i = -2; i < settings.listRepeats(); i++) {
            long began = System.nanoTime();
            HttpResponse<byte[]> response = http.sendAsync(request, byte[].class).get(60, TimeUnit.SECONDS);
            long took = System.nanoTime() - began;
            if (response.code() != 200) {
                throw new IllegalStateException("LIST pods answered " + response.code());
            }
            bytes = response.body().length;
            // The first two warm the path up on both sides.
            if (i >= 0) {
                raw.recordNanos(took);
            }
        }
        for (int i = -1; i < settings.listRepeats(); i++) {
            long began = System.nanoTime();
            List<Pod> pods = client.pods().inNamespace(PODS_NAMESPACE)
                    .list(new ListOptionsBuilder().withResourceVersion("0").build()).getItems();
            long took = System.nanoTime() - began;
            if (pods.size() != settings.pods()) {
                throw new IllegalStateException("listed " + pods.size() + " pods, not " + settings.pods());
            }
            if (i >= 0) {
                typed.recordNanos(took);
            }
        }
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("typed p50 ms", typed.p50Ms());
        extras.put("typed p99 ms", typed.p99Ms());
        extras.put("response MB", bytes / 1e6);
        extras.put("rss MB", peer.residentMb());
        // One LIST at a time: its rate is the inverse of its median duration.
        return new Result(1000 / raw.p50Ms(), raw.p50Ms(), raw.p99Ms(), extras);
    }

    @FunctionalInterface
    private interface Creation {
        void create(KubernetesClient client, int index);
    }

    /** Creates {@code count} objects through every client at once, retrying none: a failure stops the run. */
    private void load(int count, String label, Progress progress, Creation creation) throws Exception {
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < clients.size(); w++) {
                KubernetesClient client = clients.get(w);
                int worker = w;
                futures.add(pool.submit(() -> {
                    for (int i = worker; i < count; i += clients.size()) {
                        creation.create(client, i);
                        progress.fraction(label, done.incrementAndGet(), count);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result result(ClosedLoop.Measurement m) {
        if (m.firstError() != null && m.done() == 0) {
            throw new IllegalStateException("every operation failed: " + m.firstError(), m.firstError());
        }
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("errors", (double) m.errors());
        if (m.firstError() instanceof KubernetesClientException e) {
            extras.put("first error code", (double) e.getCode());
        }
        return Result.of(m.donePerSecond(), m.latencies(), extras);
    }

    private static ConfigMap configMap(String name, int worker) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("app", "bench")
                .addToLabels("worker", Integer.toString(worker)).endMetadata().addToData("payload", PAYLOAD).build();
    }

    private static String nodeName(int index) {
        return "node-" + index;
    }

    private static Pod pod(int index) {
        String name = "web-" + index;
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "web")
                .addToLabels("pod-template-hash", "5d8f7c9b6").addToAnnotations("kybern.io/bench", "list10k")
                .endMetadata()
                .withNewSpec().withNodeName(nodeName(index % POD_NODES)).withRestartPolicy("Always")
                .withServiceAccountName("default").withTerminationGracePeriodSeconds(30L)
                .addNewContainer().withName("web").withImage("registry.local/web:1.4.2")
                .withImagePullPolicy("IfNotPresent")
                .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
                .addNewEnv().withName("POD_INDEX").withValue(Integer.toString(index)).endEnv()
                .addNewEnv().withName("LOG_LEVEL").withValue("info").endEnv()
                .withNewResources().addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("128Mi")).addToLimits("memory", new Quantity("256Mi"))
                .endResources()
                .withNewReadinessProbe().withNewHttpGet().withPath("/healthz")
                .withPort(new io.fabric8.kubernetes.api.model.IntOrString(8080)).endHttpGet()
                .withPeriodSeconds(10).endReadinessProbe()
                .endContainer().endSpec().build();
    }

    private static String payload(int length) {
        StringBuilder text = new StringBuilder(length);
        java.util.Random random = new java.util.Random(42);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @Override
    public void close() {
        for (KubernetesClient client : clients) {
            client.close();
        }
    }
}
