package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ContainerConfig;
import io.kybern.kubelet.cri.api.ContainerMetadata;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStatus;
import io.kybern.kubelet.cri.api.CreateContainerRequest;
import io.kybern.kubelet.cri.api.DNSConfig;
import io.kybern.kubelet.cri.api.Image;
import io.kybern.kubelet.cri.api.ImageSpec;
import io.kybern.kubelet.cri.api.ImageStatusRequest;
import io.kybern.kubelet.cri.api.KeyValue;
import io.kybern.kubelet.cri.api.LinuxContainerConfig;
import io.kybern.kubelet.cri.api.LinuxPodSandboxConfig;
import io.kybern.kubelet.cri.api.LinuxSandboxSecurityContext;
import io.kybern.kubelet.cri.api.NamespaceMode;
import io.kybern.kubelet.cri.api.NamespaceOption;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxConfig;
import io.kybern.kubelet.cri.api.PodSandboxMetadata;
import io.kybern.kubelet.cri.api.PodSandboxStatusRequest;
import io.kybern.kubelet.cri.api.PortMapping;
import io.kybern.kubelet.cri.api.Protocol;
import io.kybern.kubelet.cri.api.PullImageRequest;
import io.kybern.kubelet.cri.api.RunPodSandboxRequest;
import io.kybern.kubelet.cri.api.StartContainerRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod's worker, as kubelet has one per pod: on every change of the pod or of its containers (the node's
 * {@link RuntimeRelist}), and again while something is due (a back-off ending, a container starting, a
 * probe), it compares the pod with what the runtime has and takes
 * the next steps: the sandbox, the image pulls, the init containers one after the other, then the
 * containers, restarts by the restart policy with back-off; then it reports the pod's status. When the pod
 * is being deleted it stops the containers (grace period, then SIGKILL), removes the sandbox and deletes
 * the pod object for good.
 */
final class PodWorker {

    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);

    /** How soon to look again while something is under way (a container starting, a probe due). */
    static final Duration BUSY_RESYNC = Duration.ofSeconds(1);
    static final Duration IDLE_RESYNC = Duration.ofSeconds(10);
    static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);
    /** Kubelet gives a container at least this long between SIGTERM and SIGKILL, even after its preStop hook. */
    static final long MINIMUM_GRACE_SECONDS = 2;
    /**
     * How long a postStart exec may run. Kubelet sets none (its worker waits as long as the hook runs); a bound
     * keeps a hung hook from holding this pod's worker, and with it the pod's deletion, for ever.
     */
    static final Duration POST_START_LIMIT = Duration.ofMinutes(5);
    /** A container that ran this long has its crash back-off forgotten (kubelet: twice the maximum). */
    static final Duration BACKOFF_RESET = Backoff.MAX.multipliedBy(2);
    /** The machine's memory, against which a Burstable container's OOM score is set. */
    static final long MACHINE_MEMORY_BYTES = HostNode.memInfoKi("MemTotal") * 1024;

    /** Where the node is, for the sandbox config, the status and the events. */
    record Node(String name, String hostIp, Path podLogDir, Path volumesDir) {
    }

    private final KubernetesClient client;
    private final CriClient cri;
    private final KubeletEvents events;
    private final HostPortAdmission admission;
    /** The Services the node knows (the agent's informer), for the containers' service variables. */
    private final Supplier<List<Service>> services;
    private final Node node;
    private final String uid;
    private final Thread thread;
    /** Wakes the worker; a Condition rather than Object.wait, as the worker is a virtual thread (see KeyQueue). */
    private final ReentrantLock signal = new ReentrantLock();
    private final Condition poked = signal.newCondition();
    private volatile Pod pod;
    private volatile boolean gone;
    private volatile boolean removed;
    private volatile boolean changed = true;
    private volatile boolean stopped;
    private final Runnable onFinished;

    // What the runtime does not remember: waiting reasons of this worker's making, pull back-offs.
    private final Map<String, String[]> waiting = new HashMap<>();
    private final Map<String, Integer> pullFailures = new HashMap<>();
    private final Map<String, Instant> pullFailedAt = new HashMap<>();
    private final Map<String, Instant> pullRetryAt = new HashMap<>();
    private final ContainerProbes probes = new ContainerProbes();
    private Instant startTime;
    private PodStatus lastPosted;
    /** The pod IP of the sandbox {@link #ipSandboxId}: a sandbox keeps its address, so it is asked for once. */
    private String ipSandboxId;
    private String sandboxIp;
    /**
     * Whether this pass stopped a container, so the runtime must be read again for the status: what else stopped
     * with it is not known here.
     */
    private boolean stoppedAny;
    /** The containers this pass created (started or not): their statuses are all the status needs to add. */
    private final List<String> created = new ArrayList<>();
    private boolean admitted;

    PodWorker(KubernetesClient client, CriClient cri, KubeletEvents events, HostPortAdmission admission,
            Supplier<List<Service>> services, Node node, Pod pod, Runnable onFinished) {
        this.client = client;
        this.cri = cri;
        this.events = events;
        this.admission = admission;
        this.services = services;
        this.node = node;
        this.pod = pod;
        this.uid = pod.getMetadata().getUid();
        this.onFinished = onFinished;
        this.thread = Thread.ofVirtual().name("pod-" + pod.getMetadata().getNamespace() + "-"
                + pod.getMetadata().getName()).start(this::run);
    }

    /** A newer version of the pod. */
    void update(Pod newer) {
        pod = newer;
        poke();
    }

    /** The node's relist saw the pod's sandboxes or containers change (a container exited, say). */
    void runtimeChanged() {
        poke();
    }

    /** The pod object is gone (deleted for good, or bound elsewhere): its containers must go too. */
    void gone() {
        gone = true;
        poke();
    }

    /** A static pod whose file is gone or changed: its containers stop with its grace period, its mirror goes. */
    void removed() {
        removed = true;
        poke();
    }

    /** The agent stops: the worker ends, leaving the containers running for the next agent to adopt. */
    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void poke() {
        signal.lock();
        try {
            changed = true;
            poked.signalAll();
        } finally {
            signal.unlock();
        }
    }

    private void run() {
        Duration next = Duration.ZERO;
        while (!stopped) {
            signal.lock();
            try {
                if (!changed && !next.isZero()) {
                    poked.await(next.toNanos(), TimeUnit.NANOSECONDS);
                }
                changed = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                signal.unlock();
            }
            if (stopped) {
                return;
            }
            try {
                Pod current = pod;
                if (gone || removed || current.getMetadata().getDeletionTimestamp() != null) {
                    terminate(current, gone ? 0 : gracePeriod(current));
                    onFinished.run();
                    return;
                }
                next = sync(current);
            } catch (StatusRuntimeException | KubernetesClientException e) {
                log.info("pod sync failed pod={}/{} error={}", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), e.getMessage());
                next = BUSY_RESYNC;
            } catch (RuntimeException e) {
                log.warn("pod sync failed pod={}/{}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e);
                next = BUSY_RESYNC;
            }
        }
    }

    // --- the steps ---

    private Duration sync(Pod pod) {
        Instant now = Instant.now();
        stoppedAny = false;
        created.clear();
        if (startTime == null) {
            String recorded = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
            startTime = recorded != null ? Instant.parse(recorded) : now;
        }
        PodRuntime runtime = PodRuntime.read(cri, uid);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        if (terminal) {
            admission.release(uid);
            // A finished pod's sandbox goes; its status stays as reported.
            for (PodSandbox sandbox : runtime.sandboxes) {
                if (sandbox.getState() == io.kybern.kubelet.cri.api.PodSandboxState.SANDBOX_READY) {
                    PodRuntime.stopSandboxOnly(cri, sandbox.getId());
                }
            }
            return IDLE_RESYNC;
        }
        if (!admitted) {
            if (!runtime.sandboxes.isEmpty() || "Running".equals(phase)) {
                admission.adopt(pod); // it ran before this agent: admitted by an earlier one
            } else {
                String rejection = admission.admit(pod);
                if (rejection != null) {
                    reject(pod, HostPortAdmission.REASON, rejection);
                    return IDLE_RESYNC;
                }
            }
            admitted = true;
        }
        PodSandboxConfig sandboxConfig = sandboxConfig(pod, runtime.sandboxes.size());
        String sandboxId;
        String podIp;
        if (runtime.ready == null) {
            for (PodSandbox old : runtime.sandboxes) {
                PodRuntime.removeSandbox(cri, old.getId());
            }
            sandboxId = cri.runtime(Duration.ofMinutes(2)).runPodSandbox(RunPodSandboxRequest.newBuilder()
                    .setConfig(sandboxConfig).build()).getPodSandboxId();
            // The old sandboxes are gone and the new one has no containers yet: nothing to ask the runtime.
            runtime = PodRuntime.ofNewSandbox(sandboxId, sandboxConfig);
        } else {
            sandboxId = runtime.ready.getId();
            sandboxConfig = sandboxConfig(pod, runtime.ready.getMetadata().getAttempt());
        }
        podIp = podIp(pod, sandboxId);

        Duration next = IDLE_RESYNC;
        boolean initialized = true;
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        for (Container init : list(pod.getSpec().getInitContainers())) {
            ContainerStatus latest = runtime.latest(init.getName());
            if (latest != null && latest.getState() == ContainerState.CONTAINER_EXITED && latest.getExitCode() == 0) {
                continue;
            }
            initialized = false;
            if (latest == null) {
                start(pod, init, "spec.initContainers{" + init.getName() + "}", sandboxId, sandboxConfig, podIp, 0);
                next = BUSY_RESYNC;
            } else if (latest.getState() == ContainerState.CONTAINER_EXITED) {
                if (!restartPolicy.equals("Never")) {
                    next = restart(pod, init, "spec.initContainers{" + init.getName() + "}", latest, sandboxId,
                            sandboxConfig, podIp, now);
                }
            } else {
                next = BUSY_RESYNC;
            }
            break;
        }
        Set<String> running = new HashSet<>();
        if (initialized) {
            for (Container container : list(pod.getSpec().getContainers())) {
                String fieldPath = "spec.containers{" + container.getName() + "}";
                ContainerStatus latest = runtime.latest(container.getName());
                if (latest == null) {
                    start(pod, container, fieldPath, sandboxId, sandboxConfig, podIp, 0);
                    next = min(next, BUSY_RESYNC);
                } else if (latest.getState() == ContainerState.CONTAINER_EXITED) {
                    boolean again = restartPolicy.equals("Always")
                            || (restartPolicy.equals("OnFailure") && latest.getExitCode() != 0);
                    if (again) {
                        next = min(next, restart(pod, container, fieldPath, latest, sandboxId, sandboxConfig, podIp,
                                now));
                    }
                } else {
                    waiting.remove(container.getName());
                    if (latest.getState() == ContainerState.CONTAINER_RUNNING) {
                        running.add(latest.getId());
                        probe(pod, container, fieldPath, latest, podIp, now);
                        // Its exit is seen by the node's relist, which wakes this worker: only probes are due
                        // on a clock.
                        if (ContainerProbes.hasProbes(container)) {
                            next = min(next, BUSY_RESYNC);
                        }
                    } else {
                        next = min(next, BUSY_RESYNC);
                    }
                }
                PodRuntime.pruneDead(cri, runtime.containers.getOrDefault(container.getName(), List.of()));
            }
        }
        probes.retain(running);
        if (stoppedAny) {
            runtime = PodRuntime.read(cri, uid);
        } else if (!created.isEmpty()) {
            // As kubelet reports a container Running right after starting it: its status is asked for, and the
            // rest of what this pass read stands.
            runtime = runtime.withCreated(cri, created);
        }
        PodStatus status = PodStatuses.build(pod, runtime, waiting, probes, podIp, node.hostIp(), startTime, now);
        post(pod, status);
        return next;
    }

    /** Fails a pod the node does not admit, as kubelet's rejectPod: an event and the Failed phase, no containers. */
    private void reject(Pod pod, String reason, String message) {
        events.warning(pod, null, reason, message);
        post(pod, new PodStatusBuilder().withPhase("Failed").withReason(reason)
                .withMessage("Pod was rejected: " + message).withQosClass(PodStatuses.qosClass(pod)).build());
    }

    /**
     * Runs the running container's due probes; one whose startup or liveness probe has failed enough times
     * is killed (its grace period, then SIGKILL), and the restart policy then decides as for any exit.
     */
    private void probe(Pod pod, Container container, String fieldPath, ContainerStatus running, String podIp,
            Instant now) {
        ContainerProbes.Kind failed = probes.probe(container, running, now,
                (probe, c, id) -> ProbeCheck.run(cri, probe, c, id, podIp),
                (c, kind, message) -> events.warning(pod, fieldPath, "Unhealthy", kind.title + " probe failed: "
                        + message));
        if (failed == null) {
            return;
        }
        Long probeGrace = failed.of(container).getTerminationGracePeriodSeconds();
        kill(pod, container, fieldPath, running.getId(), podIp, probeGrace != null ? probeGrace : gracePeriod(pod),
                "Container " + container.getName() + " failed " + failed.title.toLowerCase(java.util.Locale.ROOT)
                        + " probe, will be restarted");
    }

    /**
     * Stops a running container as kubelet's killContainer does: the Killing event, the preStop hook (if any
     * and if there is a grace period) for at most the grace period, then SIGTERM with what is left of it (at
     * least {@link #MINIMUM_GRACE_SECONDS}) before SIGKILL.
     */
    private void kill(Pod pod, Container container, String fieldPath, String containerId, String podIp, long grace,
            String message) {
        stoppedAny = true;
        events.normal(pod, fieldPath, "Killing", message);
        var lifecycle = container == null ? null : container.getLifecycle();
        if (lifecycle != null && lifecycle.getPreStop() != null && grace > 0) {
            grace -= preStop(pod, container, fieldPath, containerId, podIp, grace);
            grace = Math.max(grace, MINIMUM_GRACE_SECONDS);
        }
        PodRuntime.stopContainer(cri, containerId, grace);
    }

    /**
     * Runs the preStop hook and waits for it at most the grace period; returns the whole seconds it took. A
     * failure is a FailedPreStopHook event only.
     */
    private long preStop(Pod pod, Container container, String fieldPath, String containerId, String podIp,
            long grace) {
        Instant started = Instant.now();
        Duration limit = Duration.ofSeconds(grace);
        Thread hook = Thread.ofVirtual().name("prestop-" + container.getName()).start(() -> {
            String failure = LifecycleHooks.run(cri, container.getLifecycle().getPreStop(), pod, container,
                    containerId, podIp, limit);
            if (failure != null) {
                events.warning(pod, fieldPath, "FailedPreStopHook", failure);
            }
        });
        try {
            hook.join(limit); // a hook still running is bounded by the same limit and ends on its own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Duration.between(started, Instant.now()).toSeconds();
    }

    /**
     * Runs the postStart hook of a container just started; on failure the container is killed as kubelet
     * kills it (FailedPostStartHook), and the restart policy then decides as for any exit.
     */
    private boolean postStart(Pod pod, Container container, String fieldPath, String containerId, String podIp) {
        var lifecycle = container.getLifecycle();
        if (lifecycle == null || lifecycle.getPostStart() == null) {
            return true;
        }
        String failure = LifecycleHooks.run(cri, lifecycle.getPostStart(), pod, container, containerId, podIp,
                POST_START_LIMIT);
        if (failure == null) {
            return true;
        }
        events.warning(pod, fieldPath, "FailedPostStartHook", failure);
        kill(pod, container, fieldPath, containerId, podIp, gracePeriod(pod), "FailedPostStartHook");
        return false;
    }

    /** Restarts an exited container now, or reports CrashLoopBackOff until its back-off ends. */
    private Duration restart(Pod pod, Container container, String fieldPath, ContainerStatus latest, String sandboxId,
            PodSandboxConfig sandboxConfig, String podIp, Instant now) {
        int restarts = latest.getMetadata().getAttempt();
        Instant started = Instant.ofEpochSecond(0, latest.getStartedAt());
        Instant finished = Instant.ofEpochSecond(0, latest.getFinishedAt());
        Duration delay = Duration.between(started, finished).compareTo(BACKOFF_RESET) > 0 ? Duration.ZERO
                : Backoff.delay(restarts);
        Instant retryAt = finished.plus(delay);
        if (now.isBefore(retryAt)) {
            String name = container.getName();
            waiting.put(name, new String[] {"CrashLoopBackOff", "back-off " + Backoff.format(delay)
                    + " restarting failed container=" + name + " pod=" + podRef(pod)});
            events.warning(pod, fieldPath, "BackOff", "Back-off restarting failed container " + name + " in pod "
                    + podRef(pod));
            return Duration.between(now, retryAt).plusMillis(10);
        }
        start(pod, container, fieldPath, sandboxId, sandboxConfig, podIp, restarts + 1);
        return BUSY_RESYNC;
    }

    private static String podRef(Pod pod) {
        return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid()
                + ")";
    }

    /** Pulls the image as the policy says, creates and starts the container; failures become waiting reasons. */
    private void start(Pod pod, Container container, String fieldPath, String sandboxId,
            PodSandboxConfig sandboxConfig, String podIp, int attempt) {
        String name = container.getName();
        Image image = ensureImage(pod, container, fieldPath, sandboxConfig);
        if (image == null) {
            return;
        }
        String imageRef = image.getId();
        var security = ContainerSecurity.of(pod, container);
        String refusal = ContainerSecurity.nonRootViolation(pod, container, security, image);
        List<io.kybern.kubelet.cri.api.Mount> mounts;
        try {
            if (refusal != null) {
                throw new ContainerEnv.ConfigError(refusal);
            }
            var claims = PodVolumes.prepare(node.volumesDir(), pod, client);
            mounts = PodVolumes.mounts(node.volumesDir(), pod, container, claims);
        } catch (VolumeFiles.MountFailed e) {
            // As kubelet: the pod's event says why; the container stays waiting in ContainerCreating.
            events.warning(pod, null, "FailedMount", e.getMessage());
            return;
        } catch (ContainerEnv.ConfigError | PodVolumes.Unsupported | java.io.IOException e) {
            waiting.put(name, new String[] {"CreateContainerConfigError", e.getMessage()});
            events.warning(pod, fieldPath, "Failed", "Error: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Map<String, String> env;
        try {
            env = ContainerEnv.resolve(pod, container, podIp, node.hostIp(), ServiceEnv.forPod(pod, services.get()),
                    client);
        } catch (ContainerEnv.ConfigError e) {
            waiting.put(name, new String[] {"CreateContainerConfigError", e.getMessage()});
            events.warning(pod, fieldPath, "Failed", "Error: " + e.getMessage());
            return;
        }
        ContainerConfig.Builder config = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(attempt))
                .setImage(ImageSpec.newBuilder().setImage(imageRef).setUserSpecifiedImage(container.getImage()))
                .addAllCommand(ContainerEnv.expandAll(container.getCommand(), env))
                .addAllArgs(ContainerEnv.expandAll(container.getArgs(), env))
                .setWorkingDir(Objects.requireNonNullElse(container.getWorkingDir(), ""))
                .setLogPath(name + "/" + attempt + ".log")
                .setStdin(Boolean.TRUE.equals(container.getStdin()))
                .setStdinOnce(Boolean.TRUE.equals(container.getStdinOnce()))
                .setTty(Boolean.TRUE.equals(container.getTty()))
                .setLinux(LinuxContainerConfig.newBuilder().setResources(ContainerResources.of(container,
                        PodStatuses.qosClass(pod), MACHINE_MEMORY_BYTES)).setSecurityContext(security))
                .addAllMounts(mounts)
                .putLabels(PodRuntime.CONTAINER_NAME, name)
                .putLabels(PodRuntime.POD_NAME, pod.getMetadata().getName())
                .putLabels(PodRuntime.POD_NAMESPACE, pod.getMetadata().getNamespace())
                .putLabels(PodRuntime.POD_UID, uid)
                .putAnnotations("io.kubernetes.container.restartCount", Integer.toString(attempt))
                .putAnnotations("io.kubernetes.pod.terminationGracePeriod", Long.toString(gracePeriod(pod)));
        env.forEach((key, value) -> config.addEnvs(KeyValue.newBuilder().setKey(key).setValue(value)));
        String id;
        try {
            id = cri.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId)
                    .setSandboxConfig(sandboxConfig).setConfig(config).build()).getContainerId();
        } catch (StatusRuntimeException e) {
            String message = rpcError(e);
            waiting.put(name, new String[] {"CreateContainerError", message});
            events.warning(pod, fieldPath, "Failed", "Error: " + message);
            return;
        }
        created.add(id);
        events.normal(pod, fieldPath, "Created", "Created container: " + name);
        try {
            cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        } catch (StatusRuntimeException e) {
            // The container exists and has exited: its status carries the runtime's reason; the next pass
            // restarts it by the restart policy.
            events.warning(pod, fieldPath, "Failed", "Error: " + rpcError(e));
            waiting.remove(name);
            return;
        }
        waiting.remove(name);
        events.normal(pod, fieldPath, "Started", "Started container " + name);
        postStart(pod, container, fieldPath, id, podIp);
    }

    /** The image if it is there (pulled now if the policy says so), or null with a waiting reason. */
    private Image ensureImage(Pod pod, Container container, String fieldPath, PodSandboxConfig sandboxConfig) {
        String image = container.getImage();
        String name = container.getName();
        String policy = Objects.requireNonNullElse(container.getImagePullPolicy(), "IfNotPresent");
        var present = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image)).build());
        if (policy.equals("Never") || (policy.equals("IfNotPresent") && present.hasImage())) {
            if (!present.hasImage()) {
                String message = "Container image \"" + image + "\" is not present with pull policy of Never";
                waiting.put(name, new String[] {"ErrImageNeverPull", message});
                events.warning(pod, fieldPath, "ErrImageNeverPull", message);
                return null;
            }
            events.normal(pod, fieldPath, "Pulled", "Container image \"" + image + "\" already present on machine");
            return present.getImage();
        }
        Instant now = Instant.now();
        Instant retryAt = pullRetryAt.get(image);
        if (retryAt != null && now.isBefore(retryAt)) {
            Instant failedAt = pullFailedAt.get(image);
            if (failedAt != null && now.isBefore(failedAt.plus(Duration.between(failedAt, retryAt).dividedBy(2)))) {
                // The failure stays visible for the first half of the back-off, as kubelet's next sync
                // comes a while after it; then the pod shows it is backing off.
                return null;
            }
            String message = "Back-off pulling image \"" + image + "\"";
            waiting.put(name, new String[] {"ImagePullBackOff", message});
            events.normal(pod, fieldPath, "BackOff", message);
            return null;
        }
        events.normal(pod, fieldPath, "Pulling", "Pulling image \"" + image + "\"");
        long started = System.nanoTime();
        try {
            String ref = cri.images(PULL_TIMEOUT).pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(image)).setSandboxConfig(sandboxConfig).build())
                    .getImageRef();
            pullFailures.remove(image);
            pullFailedAt.remove(image);
            pullRetryAt.remove(image);
            String took = seconds(System.nanoTime() - started);
            events.normal(pod, fieldPath, "Pulled", "Successfully pulled image \"" + image + "\" in " + took + " ("
                    + took + " including waiting)");
            return cri.images().imageStatus(ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(ref)).build()).getImage();
        } catch (StatusRuntimeException e) {
            int failures = pullFailures.merge(image, 1, Integer::sum);
            Instant failedAt = Instant.now();
            pullFailedAt.put(image, failedAt);
            pullRetryAt.put(image, failedAt.plus(Backoff.delay(failures)));
            String message = rpcError(e);
            waiting.put(name, new String[] {"ErrImagePull", message});
            events.warning(pod, fieldPath, "Failed", "Failed to pull image \"" + image + "\": " + message);
            events.warning(pod, fieldPath, "Failed", "Error: ErrImagePull");
            return null;
        }
    }

    /** A gRPC error as kubelet shows a runtime's: {@code rpc error: code = NotFound desc = ...}. */
    static String rpcError(StatusRuntimeException e) {
        StringBuilder code = new StringBuilder();
        for (String word : e.getStatus().getCode().name().split("_")) {
            code.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return "rpc error: code = " + code + " desc = " + Objects.requireNonNullElse(e.getStatus().getDescription(), "");
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3fs", nanos / 1e9);
    }

    /**
     * Stops every container (SIGTERM, SIGKILL after the grace period), removes the sandboxes, then deletes
     * the pod object for good (a zero-grace delete, as kubelet finishes a graceful deletion).
     */
    private void terminate(Pod pod, long grace) {
        PodRuntime runtime = PodRuntime.read(cri, uid);
        String podIp = runtime.ready == null ? "" : podIp(pod, runtime.ready.getId());
        List<Thread> stops = new ArrayList<>();
        for (var entry : runtime.containers.entrySet()) {
            ContainerStatus latest = entry.getValue().get(0);
            if (latest.getState() != ContainerState.CONTAINER_RUNNING) {
                continue;
            }
            String fieldPath = isInit(pod, entry.getKey()) ? "spec.initContainers{" + entry.getKey() + "}"
                    : "spec.containers{" + entry.getKey() + "}";
            Container spec = specOf(pod, entry.getKey());
            String message = "Stopping container " + entry.getKey();
            // A pod gone from the API (force-deleted) is killed at once, without its hooks.
            stops.add(Thread.ofVirtual().start(gone
                    ? () -> {
                        events.normal(pod, fieldPath, "Killing", message);
                        PodRuntime.stopContainer(cri, latest.getId(), 0);
                    }
                    : () -> kill(pod, spec, fieldPath, latest.getId(), podIp, grace, message)));
        }
        for (Thread stop : stops) {
            try {
                stop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (PodSandbox sandbox : runtime.sandboxes) {
            PodRuntime.removeSandbox(cri, sandbox.getId());
        }
        try {
            PodVolumes.remove(node.volumesDir(), uid);
        } catch (java.io.IOException e) {
            log.warn("pod volumes not removed pod={}/{} error={}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        events.forget(uid);
        admission.release(uid);
        if (!gone) {
            deletePodObject(pod);
        }
        log.info("pod stopped pod={}/{} grace_s={}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                grace);
    }

    private String podIp(Pod pod, String sandboxId) {
        if (hostNetwork(pod)) {
            return node.hostIp();
        }
        if (!sandboxId.equals(ipSandboxId)) {
            sandboxIp = cri.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId)
                    .build()).getStatus().getNetwork().getIp();
            ipSandboxId = sandboxId;
        }
        return sandboxIp;
    }

    /** Deletes the pod from the API for good; for a static pod its mirror, if it still mirrors this one. */
    private void deletePodObject(Pod pod) {
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName());
        try {
            if (StaticPods.isStatic(pod)) {
                Pod mirror = resource.get();
                if (mirror == null || !uid.equals(StaticPods.runtimeUid(mirror)) || !StaticPods.isMirror(mirror)) {
                    return; // an edited file's new pod has the same name: its mirror stays
                }
            }
            resource.withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static Container specOf(Pod pod, String name) {
        return Stream.concat(list(pod.getSpec().getInitContainers()).stream(),
                list(pod.getSpec().getContainers()).stream()).filter(c -> c.getName().equals(name)).findFirst()
                .orElse(null);
    }

    private static boolean isInit(Pod pod, String name) {
        return list(pod.getSpec().getInitContainers()).stream().anyMatch(c -> c.getName().equals(name));
    }

    static long gracePeriod(Pod pod) {
        Long fromDeletion = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (fromDeletion != null) {
            return fromDeletion;
        }
        Long fromSpec = pod.getSpec().getTerminationGracePeriodSeconds();
        return fromSpec != null ? fromSpec : 30;
    }

    private void post(Pod pod, PodStatus status) {
        if (status.equals(lastPosted)) {
            return;
        }
        // resource(pod), not withName: fabric8 reads the object first for a patch by name only.
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                        client.getKubernetesSerialization().asJson(Map.of("status", status)));
        lastPosted = status;
    }

    private PodSandboxConfig sandboxConfig(Pod pod, int attempt) {
        var metadata = pod.getMetadata();
        PodSandboxConfig.Builder config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(metadata.getName())
                        .setNamespace(metadata.getNamespace()).setUid(uid).setAttempt(attempt))
                .setHostname(hostNetwork(pod) ? "" : Objects.requireNonNullElse(pod.getSpec().getHostname(),
                        metadata.getName()))
                .setLogDirectory(node.podLogDir().resolve(metadata.getNamespace() + "_" + metadata.getName() + "_"
                        + uid).toString())
                .putLabels(PodRuntime.POD_UID, uid)
                .putLabels(PodRuntime.POD_NAME, metadata.getName())
                .putLabels(PodRuntime.POD_NAMESPACE, metadata.getNamespace())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext
                        .newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                                .setNetwork(hostNetwork(pod) ? NamespaceMode.NODE : NamespaceMode.POD)
                                .setPid(Boolean.TRUE.equals(pod.getSpec().getHostPID()) ? NamespaceMode.NODE
                                        : Boolean.TRUE.equals(pod.getSpec().getShareProcessNamespace())
                                                ? NamespaceMode.POD : NamespaceMode.CONTAINER)
                                .setIpc(Boolean.TRUE.equals(pod.getSpec().getHostIPC()) ? NamespaceMode.NODE
                                        : NamespaceMode.POD))));
        if (metadata.getLabels() != null) {
            metadata.getLabels().forEach((key, value) -> {
                if (!key.startsWith("io.kubernetes.")) {
                    config.putLabels(key, value);
                }
            });
        }
        if (pod.getSpec().getDnsConfig() != null) {
            var dns = pod.getSpec().getDnsConfig();
            DNSConfig.Builder builder = DNSConfig.newBuilder().addAllServers(list(dns.getNameservers()))
                    .addAllSearches(list(dns.getSearches()));
            list(dns.getOptions()).forEach(o -> builder.addOptions(o.getValue() == null ? o.getName()
                    : o.getName() + ":" + o.getValue()));
            config.setDnsConfig(builder);
        }
        for (Container container : list(pod.getSpec().getContainers())) {
            for (ContainerPort port : list(container.getPorts())) {
                if (port.getHostPort() != null && port.getHostPort() > 0) {
                    config.addPortMappings(PortMapping.newBuilder()
                            .setProtocol(switch (Objects.requireNonNullElse(port.getProtocol(), "TCP")) {
                                case "UDP" -> Protocol.UDP;
                                case "SCTP" -> Protocol.SCTP;
                                default -> Protocol.TCP;
                            })
                            .setContainerPort(port.getContainerPort()).setHostPort(port.getHostPort())
                            .setHostIp(Objects.requireNonNullElse(port.getHostIP(), "")));
                }
            }
        }
        return config.build();
    }

    private static boolean hostNetwork(Pod pod) {
        return Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    }

    static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
