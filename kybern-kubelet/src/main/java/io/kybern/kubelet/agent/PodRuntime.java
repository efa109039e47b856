package io.kybern.kubelet.agent;

import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ContainerFilter;
import io.kybern.kubelet.cri.api.ContainerStatus;
import io.kybern.kubelet.cri.api.ContainerStatusRequest;
import io.kybern.kubelet.cri.api.ListContainersRequest;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxConfig;
import io.kybern.kubelet.cri.api.PodSandboxFilter;
import io.kybern.kubelet.cri.api.PodSandboxState;
import io.kybern.kubelet.cri.api.RemoveContainerRequest;
import io.kybern.kubelet.cri.api.RemovePodSandboxRequest;
import io.kybern.kubelet.cri.api.StopContainerRequest;
import io.kybern.kubelet.cri.api.StopPodSandboxRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runtime has of one pod, found by the labels the agent puts on everything it creates (kubelet's
 * {@code io.kubernetes.*} labels): its sandboxes and, per container name, its containers newest attempt
 * first. Reading it from the runtime every time is what lets a restarted agent adopt running pods.
 */
final class PodRuntime {

    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";

    final List<PodSandbox> sandboxes;
    final PodSandbox ready;
    /**
     * Container name to its containers in the ready sandbox (or, when none is ready, the newest one), the newest
     * attempt first.
     */
    final Map<String, List<ContainerStatus>> containers;

    private PodRuntime(List<PodSandbox> sandboxes, PodSandbox ready, Map<String, List<ContainerStatus>> containers) {
        this.sandboxes = sandboxes;
        this.ready = ready;
        this.containers = containers;
    }

    static PodRuntime read(CriClient cri, String podUid) {
        List<PodSandbox> sandboxes = cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                .setFilter(PodSandboxFilter.newBuilder().putLabelSelector(POD_UID, podUid)).build()).getItemsList();
        PodSandbox ready = sandboxes.stream().filter(s -> s.getState() == PodSandboxState.SANDBOX_READY)
                .max(Comparator.comparingInt(s -> s.getMetadata().getAttempt())).orElse(null);
        // Without a ready sandbox, the newest stopped one still has the containers of a finished pod (its
        // status and logs are read from them).
        PodSandbox holder = ready != null ? ready : sandboxes.stream()
                .max(Comparator.comparingInt((PodSandbox s) -> s.getMetadata().getAttempt())
                        .thenComparingLong(PodSandbox::getCreatedAt)).orElse(null);
        Map<String, List<ContainerStatus>> containers = new LinkedHashMap<>();
        if (holder != null) {
            for (var container : cri.runtime().listContainers(ListContainersRequest.newBuilder()
                    .setFilter(ContainerFilter.newBuilder().setPodSandboxId(holder.getId())).build())
                    .getContainersList()) {
                try {
                    ContainerStatus status = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder()
                            .setContainerId(container.getId()).build()).getStatus();
                    containers.computeIfAbsent(container.getMetadata().getName(), n -> new ArrayList<>()).add(status);
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            containers.values().forEach(list -> list.sort(
                    Comparator.comparingInt((ContainerStatus s) -> s.getMetadata().getAttempt()).reversed()));
        }
        return new PodRuntime(sandboxes, ready, containers);
    }

    /**
     * What the runtime has of a pod right after RunPodSandbox answered with {@code sandboxId} for that config, its
     * older sandboxes removed: the one ready sandbox, without containers.
     */
    static PodRuntime ofNewSandbox(String sandboxId, PodSandboxConfig config) {
        PodSandbox sandbox = PodSandbox.newBuilder().setId(sandboxId).setMetadata(config.getMetadata())
                .setState(PodSandboxState.SANDBOX_READY).putAllLabels(config.getLabelsMap())
                .putAllAnnotations(config.getAnnotationsMap()).build();
        return new PodRuntime(List.of(sandbox), sandbox, Map.of());
    }

    /**
     * This view with the containers just created in its ready sandbox added, each as the newest attempt of its
     * name: one ContainerStatus call each, where reading the pod again would list its sandboxes and containers
     * too. A container removed meanwhile is left out, as {@link #read} leaves it out.
     */
    PodRuntime withCreated(CriClient cri, List<String> containerIds) {
        Map<String, List<ContainerStatus>> merged = new LinkedHashMap<>();
        containers.forEach((name, attempts) -> merged.put(name, new ArrayList<>(attempts)));
        for (String id : containerIds) {
            try {
                ContainerStatus status = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder()
                        .setContainerId(id).build()).getStatus();
                merged.computeIfAbsent(status.getMetadata().getName(), n -> new ArrayList<>()).add(0, status);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return new PodRuntime(sandboxes, ready, merged);
    }

    ContainerStatus latest(String name) {
        List<ContainerStatus> list = containers.get(name);
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    ContainerStatus previous(String name) {
        List<ContainerStatus> list = containers.get(name);
        return list == null || list.size() < 2 ? null : list.get(1);
    }

    /** Removes a container's dead attempts but the newest one (kept for lastState and logs --previous). */
    static void pruneDead(CriClient cri, List<ContainerStatus> attempts) {
        for (int i = 2; i < attempts.size(); i++) {
            try {
                cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(attempts.get(i).getId())
                        .build());
            } catch (StatusRuntimeException e) {
                // gone already, or removed on the next pass
            }
        }
    }

    /** Stops a container: SIGTERM, and SIGKILL after the grace period (the runtime does both). */
    static void stopContainer(CriClient cri, String id, long graceSeconds) {
        cri.runtime(Duration.ofSeconds(graceSeconds + 30)).stopContainer(StopContainerRequest.newBuilder()
                .setContainerId(id).setTimeout(graceSeconds).build());
    }

    /** Stops and removes a sandbox with whatever still runs in it. */
    static void removeSandbox(CriClient cri, String id) {
        cri.runtime(Duration.ofMinutes(2)).stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id)
                .build());
        cri.runtime(Duration.ofMinutes(2)).removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id)
                .build());
    }

    /** Stops a sandbox (its containers die with it) but keeps it, as kubelet does for a finished pod. */
    static void stopSandboxOnly(CriClient cri, String id) {
        cri.runtime(Duration.ofMinutes(2)).stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id)
                .build());
    }
}
