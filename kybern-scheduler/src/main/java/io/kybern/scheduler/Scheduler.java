package io.kybern.scheduler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.Informers;
import io.kybern.controllers.runtime.SharedInformers;
import io.kybern.controllers.volume.PersistentVolumeController;
import io.kybern.scheduler.cache.ClusterCache;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.FitError;
import io.kybern.scheduler.framework.Framework;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Pods;
import io.kybern.scheduler.framework.Status;
import io.kybern.scheduler.plugins.DefaultBinder;
import io.kybern.scheduler.plugins.DefaultPlugins;
import io.kybern.scheduler.plugins.DefaultPreemption;
import io.kybern.scheduler.plugins.InterPodAffinity;
import io.kybern.scheduler.plugins.NodePorts;
import io.kybern.scheduler.plugins.NodeResourcesFit;
import io.kybern.scheduler.plugins.PodTopologySpread;
import io.kybern.scheduler.plugins.VolumeBinding;
import io.kybern.scheduler.queue.QueuedPod;
import io.kybern.scheduler.queue.SchedulingQueue;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kybern's kube-scheduler: a client of the API that places pending pods whose spec.schedulerName is
 * {@code default-scheduler}. Informers feed the {@link ClusterCache} (nodes and assigned pods) and the
 * {@link SchedulingQueue} (pending pods); one thread takes pods from the queue, lets the
 * {@link Framework} pick a node, assumes the pod there, and hands the binding to a virtual thread so the
 * next pod is scheduled meanwhile. A pod that fits nowhere gets a {@code FailedScheduling} event, the
 * condition PodScheduled=False/Unschedulable, and waits for a cluster change; preemption may nominate it
 * to a node where lower-priority pods are being deleted for it.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    public static final String DEFAULT_SCHEDULER = "default-scheduler";
    static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);
    /** How long binding a pod waits for its WaitForFirstConsumer claims to be bound (Kubernetes: 600 s). */
    static final Duration VOLUME_BIND_TIMEOUT = Duration.ofSeconds(120);
    /**
     * Writers of Scheduled events, and how many may wait: a few, so the bindings have the API server first;
     * ten times the queue of Kubernetes' broadcaster, since a burst of ten thousand pods is what the
     * scheduler benchmark places.
     */
    private static final int SCHEDULED_EVENT_WRITERS = 4;
    private static final int SCHEDULED_EVENTS_QUEUED = 10_000;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    /** Plugins whose rejections a deleted pod can lift (it frees room, ports, or a spread domain). */
    private static final Set<String> FREED_BY_POD_DELETION = Set.of(NodeResourcesFit.NAME, NodePorts.NAME,
            InterPodAffinity.NAME, PodTopologySpread.NAME);
    /** Plugins whose rejections a newly placed pod can lift (a pod to be near). */
    private static final Set<String> HELPED_BY_POD_ADDITION = Set.of(InterPodAffinity.NAME, PodTopologySpread.NAME);

    /** @param schedulerName the spec.schedulerName this scheduler serves; {@code clock} drives backoff */
    public record Config(String schedulerName, InstantSource clock) {
        public Config {
            Objects.requireNonNull(schedulerName, "schedulerName");
            Objects.requireNonNull(clock, "clock");
        }

        public static Config defaults(InstantSource clock) {
            return new Config(DEFAULT_SCHEDULER, clock);
        }
    }

    private final KubernetesClient client;
    private final Config config;
    private final Informers informers;
    private final ClusterCache cache = new ClusterCache();
    private final ClusterCache.Snapshot snapshot = new ClusterCache.Snapshot();
    private final SchedulingQueue queue;
    private final Framework framework;
    private final EventRecorder recorder;
    private final BackgroundEvents scheduledEvents;
    private final ExecutorService binders = Executors.newVirtualThreadPerTaskExecutor();
    private Thread loop;
    private Thread flusher;
    private volatile boolean closed;

    private Scheduler(KubernetesClient client, Informers informers, Config config) {
        this.client = client;
        this.config = config;
        this.informers = informers;
        this.queue = new SchedulingQueue(config.clock());
        this.recorder = new EventRecorder(client, config.schedulerName(), config.clock());
        this.scheduledEvents = new BackgroundEvents(recorder::record, SCHEDULED_EVENT_WRITERS,
                SCHEDULED_EVENTS_QUEUED);
        SharedIndexInformer<PersistentVolumeClaim> claims = informers.of(PersistentVolumeClaim.class);
        SharedIndexInformer<PersistentVolume> volumes = informers.of(PersistentVolume.class);
        SharedIndexInformer<Namespace> namespaces = informers.of(Namespace.class);
        SharedIndexInformer<StorageClass> classes = informers.of(StorageClass.class);
        VolumeBinding volumeBinding = new VolumeBinding(
                (namespace, name) -> claims.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, name)),
                name -> volumes.getIndexer().getByKey(name),
                new VolumeBinding.Delayed(name -> classes.getIndexer().getByKey(name), volumes.getStore()::list,
                        (claim, node) -> client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                                .withName(claim.getMetadata().getName()).edit(c -> new PersistentVolumeClaimBuilder(c)
                                        .editMetadata().addToAnnotations(PersistentVolumeController.SELECTED_NODE, node)
                                        .endMetadata().build()),
                        VOLUME_BIND_TIMEOUT));
        InterPodAffinity interPodAffinity = new InterPodAffinity(name -> {
            Namespace namespace = namespaces.getIndexer().getByKey(name);
            return namespace == null || namespace.getMetadata().getLabels() == null ? Map.of()
                    : namespace.getMetadata().getLabels();
        });
        List<Plugin> plugins = new ArrayList<>(DefaultPlugins.filtersAndScores(volumeBinding, interPodAffinity));
        plugins.add(new DefaultPreemption(this::preempt));
        plugins.add(new DefaultBinder(client));
        this.framework = new Framework(plugins, DefaultPlugins.WEIGHTS, RandomGenerator.getDefault());
    }

    /**
     * Starts watching and scheduling: returns once the informers have listed, so the first pods are
     * placed with the whole cluster in view.
     */
    public static Scheduler start(KubernetesClient client, Config config) {
        return start(client, null, config);
    }

    /**
     * As {@link #start(KubernetesClient, Config)}, with shares of the process's informers (a server's
     * controllers read the same pods and nodes), given back when the scheduler closes.
     *
     * @param sharedInformers the process's informers, or null for informers of the scheduler's own
     */
    public static Scheduler start(KubernetesClient client, SharedInformers sharedInformers, Config config) {
        Informers informers = sharedInformers == null ? new Informers(client) : new Informers(sharedInformers);
        Scheduler scheduler;
        try {
            scheduler = new Scheduler(client, informers, config);
        } catch (RuntimeException e) {
            informers.close(); // its shares, which would keep shared informers running
            throw e;
        }
        try {
            scheduler.watch();
            scheduler.informers.startAll(CACHE_SYNC_TIMEOUT);
        } catch (RuntimeException e) {
            scheduler.close();
            throw e;
        }
        scheduler.loop = Thread.ofPlatform().name("scheduler").daemon().start(scheduler::run);
        scheduler.flusher = Thread.ofVirtual().name("scheduler-queue-flush").start(scheduler::flushEverySecond);
        log.info("scheduler started name={}", config.schedulerName());
        return scheduler;
    }

    private boolean responsible(Pod pod) {
        String name = pod.getSpec().getSchedulerName();
        String wanted = name == null || name.isEmpty() ? DEFAULT_SCHEDULER : name;
        return wanted.equals(config.schedulerName());
    }

    private boolean pending(Pod pod) {
        return !Pods.assigned(pod) && !Pods.terminal(pod) && pod.getMetadata().getDeletionTimestamp() == null
                && responsible(pod);
    }

    private void watch() {
        informers.of(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                cache.addOrUpdateNode(node);
                queue.moveOnEvent(plugins -> true);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                cache.addOrUpdateNode(node);
                if (!Objects.equals(old.getSpec(), node.getSpec())
                        || !Objects.equals(old.getMetadata().getLabels(), node.getMetadata().getLabels())
                        || !Objects.equals(allocatable(old), allocatable(node))) {
                    queue.moveOnEvent(plugins -> true);
                }
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                cache.removeNode(node.getMetadata().getName());
            }
        });
        informers.of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (Pods.assigned(pod)) {
                    cache.addOrUpdatePod(pod);
                    queue.moveOnEvent(plugins -> intersects(plugins, HELPED_BY_POD_ADDITION));
                } else if (pending(pod)) {
                    queue.add(pod);
                }
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (Pods.assigned(pod)) {
                    if (!Pods.assigned(old)) {
                        queue.delete(pod);
                    }
                    cache.addOrUpdatePod(pod);
                    if (Pods.terminal(pod) && !Pods.terminal(old)) {
                        queue.moveOnEvent(plugins -> intersects(plugins, FREED_BY_POD_DELETION));
                    }
                } else if (pending(pod)) {
                    if (!cache.contains(Pods.key(pod))) {
                        boolean relevant = !Objects.equals(old.getSpec(), pod.getSpec())
                                || !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels());
                        queue.update(pod, relevant);
                    }
                } else {
                    queue.delete(pod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                if (Pods.assigned(pod) || cache.contains(Pods.key(pod))) {
                    cache.removePod(pod);
                    queue.moveOnEvent(plugins -> intersects(plugins, FREED_BY_POD_DELETION));
                }
                queue.delete(pod);
            }
        });
        ResourceEventHandler<Object> volumesChanged = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object object) {
                queue.moveOnEvent(plugins -> plugins.contains(VolumeBinding.NAME));
            }

            @Override
            public void onUpdate(Object old, Object object) {
                queue.moveOnEvent(plugins -> plugins.contains(VolumeBinding.NAME));
            }

            @Override
            public void onDelete(Object object, boolean unknownFinalState) {
            }
        };
        informers.of(PersistentVolumeClaim.class).addEventHandler(new Forwarding<>(volumesChanged));
        informers.of(PersistentVolume.class).addEventHandler(new Forwarding<>(volumesChanged));
        informers.of(StorageClass.class).addEventHandler(new Forwarding<>(volumesChanged));
    }

    private static Object allocatable(Node node) {
        return node.getStatus() == null ? null : node.getStatus().getAllocatable();
    }

    /** Passes one kind's events to a handler of any kind. */
    private record Forwarding<T>(ResourceEventHandler<Object> target) implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T object) {
            target.onAdd(object);
        }

        @Override
        public void onUpdate(T old, T object) {
            target.onUpdate(old, object);
        }

        @Override
        public void onDelete(T object, boolean unknownFinalState) {
            target.onDelete(object, unknownFinalState);
        }
    }

    private static boolean intersects(Set<String> a, Set<String> b) {
        for (String name : a) {
            if (b.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private void flushEverySecond() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            queue.flush();
        }
    }

    private void run() {
        while (!closed) {
            try {
                QueuedPod next = queue.pop(Duration.ofSeconds(1));
                if (next != null) {
                    scheduleOne(next);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("scheduling cycle failed", e);
            }
        }
    }

    /** One scheduling cycle: pick a node, assume the pod there, and bind it in the background. */
    void scheduleOne(QueuedPod queued) {
        Pod pod = queued.pod();
        if (cache.contains(Pods.key(pod))) {
            queue.done(queued); // assumed or bound already: an old copy came back
            return;
        }
        cache.refresh(snapshot);
        CycleState state = new CycleState();
        Framework.Outcome outcome;
        try {
            outcome = framework.schedule(state, pod, snapshot.nodes());
        } catch (RuntimeException e) {
            log.warn("scheduling pod={} failed", Pods.key(pod), e);
            failed(queued, e.getMessage(), null, Set.of(), false, "SchedulerError");
            return;
        }
        if (outcome.error() != null) {
            FitError error = outcome.error();
            Set<String> plugins = new HashSet<>();
            error.rejections().values().forEach(status -> plugins.add(status.plugin()));
            // No node at all is an error to Kubernetes (reason SchedulerError); a node added lifts it.
            failed(queued, error.message(), outcome.nominatedNode(), plugins, true,
                    error.allNodes() == 0 ? "SchedulerError" : "Unschedulable");
            return;
        }
        String node = outcome.decision().node();
        // The informer's object itself, with the node beside it: a copy with spec.nodeName set (Kubernetes
        // deep-copies) was a tenth of a cycle, and nothing downstream reads the node from the pod.
        cache.assume(pod, node);
        Status reserved = framework.reserve(state, pod, node);
        Status permitted = reserved.isSuccess() ? framework.permit(state, pod, node) : reserved;
        if (!permitted.isSuccess()) {
            if (reserved.isSuccess()) {
                framework.unreserve(state, pod, node);
            }
            cache.forget(pod);
            failed(queued, permitted.message(), null, Set.of(permitted.plugin()), permitted.isRejection(),
                    permitted.isRejection() ? "Unschedulable" : "SchedulerError");
            return;
        }
        // The pod stays in flight (not poppable) until its binding is settled.
        binders.submit(() -> bind(queued, state, pod, node));
    }

    private void bind(QueuedPod queued, CycleState state, Pod assumed, String node) {
        Status bound = framework.bind(state, assumed, node);
        if (bound.isSuccess()) {
            queue.done(queued);
            scheduledEvents.record(assumed, EventRecorder.NORMAL, "Scheduled",
                    "Successfully assigned " + Pods.key(assumed) + " to " + node);
            return;
        }
        log.info("binding pod={} node={} failed: {}", Pods.key(assumed), node, bound.message());
        framework.unreserve(state, assumed, node);
        cache.forget(assumed);
        // Retried after its backoff, unless the informer says meanwhile that it is gone or bound elsewhere.
        queue.retry(queued.failed(config.clock().instant(), Set.of()));
        recorder.warning(queued.pod(), "FailedScheduling", "Binding rejected: " + bound.message());
    }

    /**
     * The pod was not placed: it waits in the queue (unschedulable, or backoff after an error), gets a
     * FailedScheduling event and the PodScheduled=False condition, and the node preemption nominated.
     */
    private void failed(QueuedPod queued, String message, String nominatedNode, Set<String> plugins,
            boolean unschedulable, String reason) {
        QueuedPod failed = queued.failed(config.clock().instant(), plugins);
        if (unschedulable) {
            queue.unschedulable(failed);
        } else {
            queue.retry(failed);
        }
        Pod pod = queued.pod();
        binders.submit(() -> {
            recorder.warning(pod, "FailedScheduling", message);
            updateStatus(pod, reason, message, nominatedNode);
        });
    }

    private void updateStatus(Pod pod, String reason, String message, String nominatedNode) {
        PodCondition current = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                        .findFirst().orElse(null);
        String nominatedNow = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        boolean sameCondition = current != null && "False".equals(current.getStatus())
                && reason.equals(current.getReason()) && message.equals(current.getMessage());
        boolean sameNomination = nominatedNode == null || nominatedNode.equals(nominatedNow);
        if (sameCondition && sameNomination) {
            return;
        }
        String now = TIMESTAMP.format(config.clock().instant().truncatedTo(ChronoUnit.SECONDS));
        Map<String, Object> condition = new java.util.LinkedHashMap<>();
        condition.put("type", "PodScheduled");
        condition.put("status", "False");
        condition.put("lastProbeTime", null);
        condition.put("lastTransitionTime", current != null && "False".equals(current.getStatus())
                ? current.getLastTransitionTime() : now);
        condition.put("reason", reason);
        condition.put("message", message);
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("conditions", List.of(condition));
        if (nominatedNode != null) {
            status.put("nominatedNodeName", nominatedNode);
        }
        String patch = client.getKubernetesSerialization().asJson(Map.of("status", status));
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
                    .subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
        } catch (KubernetesClientException e) {
            log.info("pod status update failed pod={} error={}", Pods.key(pod), e.getMessage());
        }
    }

    /** DefaultPreemption chose {@code node}: the victims are told why and deleted gracefully. */
    private void preempt(Pod preemptor, String node, List<Pod> victims) {
        for (Pod victim : victims) {
            String message = "Preempted by pod " + preemptor.getMetadata().getUid() + " on node " + node;
            recorder.normal(victim, "Preempted", message);
            try {
                client.pods().inNamespace(victim.getMetadata().getNamespace()).withName(victim.getMetadata().getName())
                        .delete();
            } catch (KubernetesClientException e) {
                log.info("preemption delete failed victim={} error={}", Pods.key(victim), e.getMessage());
            }
        }
        log.info("preempting pod={} node={} victims={}", Pods.key(preemptor), node, victims.size());
    }

    /** Scheduled events not written yet (they follow the bindings). */
    public int unwrittenEvents() {
        return scheduledEvents.unwritten();
    }

    /** How many pods wait in the active, backoff and unschedulable queues. */
    public int[] queueSizes() {
        return queue.sizes();
    }

    @Override
    public void close() {
        closed = true;
        queue.close();
        if (flusher != null) {
            flusher.interrupt();
        }
        if (loop != null) {
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        binders.shutdownNow();
        scheduledEvents.close();
        informers.close();
    }
}
