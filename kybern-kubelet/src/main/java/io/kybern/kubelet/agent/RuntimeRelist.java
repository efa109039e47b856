package io.kybern.kubelet.agent;

import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.Container;
import io.kybern.kubelet.cri.api.ListContainersRequest;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandbox;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's relist, as kubelet's pod lifecycle event generator (PLEG): once a second it lists every sandbox
 * and container of the runtime (two calls for the whole node) and wakes the worker of each pod whose sandboxes
 * or containers appeared, went or changed state. A running pod's worker then needs no clock of its own to
 * notice that a container exited: where each worker read its pod every second (three calls per pod), the
 * node makes two.
 *
 * <p>Threading: {@link #start} runs the relist on a virtual thread of its own; {@link #close} ends it.
 */
final class RuntimeRelist implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuntimeRelist.class);

    /** Kubelet's relist period. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final CriClient cri;
    private final Consumer<String> changed;
    private Map<String, String> previous = Map.of();
    private Thread thread;

    /** @param changed told the UID of each pod whose runtime state changed since the previous relist */
    RuntimeRelist(CriClient cri, Consumer<String> changed) {
        this.cri = cri;
        this.changed = changed;
    }

    RuntimeRelist start() {
        thread = Thread.ofVirtual().name("runtime-relist").start(this::run);
        return this;
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(PERIOD);
                relist();
            } catch (InterruptedException e) {
                return;
            } catch (StatusRuntimeException e) {
                // containerd restarting: the workers' own resyncs go on, the next relist catches up
                log.info("runtime relist failed: {}", e.getMessage());
            }
        }
    }

    /** Lists the runtime once and tells of the pods that changed since the last time. */
    void relist() {
        List<PodSandbox> sandboxes = cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsList();
        List<Container> containers = cri.runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList();
        Map<String, String> current = states(sandboxes, containers);
        changedPods(previous, current).forEach(changed);
        previous = current;
    }

    /**
     * Per pod UID (the label the agent puts on what it creates), its sandboxes and containers with their states,
     * in an order of their own: two relists give equal strings exactly when nothing of the pod changed.
     */
    static Map<String, String> states(List<PodSandbox> sandboxes, List<Container> containers) {
        Map<String, TreeMap<String, String>> byPod = new HashMap<>();
        for (PodSandbox sandbox : sandboxes) {
            String uid = sandbox.getLabelsMap().get(PodRuntime.POD_UID);
            if (uid != null) {
                byPod.computeIfAbsent(uid, u -> new TreeMap<>()).put("sandbox " + sandbox.getId(),
                        sandbox.getState().name());
            }
        }
        for (Container container : containers) {
            String uid = container.getLabelsMap().get(PodRuntime.POD_UID);
            if (uid != null) {
                byPod.computeIfAbsent(uid, u -> new TreeMap<>()).put("container " + container.getId(),
                        container.getState().name());
            }
        }
        Map<String, String> states = new HashMap<>();
        byPod.forEach((uid, parts) -> states.put(uid, parts.toString()));
        return states;
    }

    /** The pods that appeared, went or changed between two relists. */
    static Set<String> changedPods(Map<String, String> before, Map<String, String> after) {
        Set<String> changed = new HashSet<>();
        after.forEach((uid, state) -> {
            if (!state.equals(before.get(uid))) {
                changed.add(uid);
            }
        });
        before.keySet().stream().filter(uid -> !after.containsKey(uid)).forEach(changed::add);
        return changed;
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
