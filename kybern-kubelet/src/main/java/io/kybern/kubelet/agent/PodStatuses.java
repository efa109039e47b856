package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStatus;
import io.kybern.kubelet.node.MicroTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pod's status from what the runtime has, as kubelet computes it: each container's state, last state,
 * restart count, image and readiness (the probes'), the pod's phase, its conditions (keeping their
 * transition times while they hold) and addresses.
 */
final class PodStatuses {

    private PodStatuses() {
    }

    static PodStatus build(Pod pod, PodRuntime runtime, Map<String, String[]> waiting, ContainerProbes probes,
            String podIp, String hostIp, Instant startTime, Instant now) {
        List<Container> inits = PodWorker.list(pod.getSpec().getInitContainers());
        List<Container> containers = PodWorker.list(pod.getSpec().getContainers());
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");

        List<io.fabric8.kubernetes.api.model.ContainerStatus> initStatuses = new ArrayList<>();
        List<String> incompleteInits = new ArrayList<>();
        boolean initFailed = false;
        for (Container init : inits) {
            var status = containerStatus(init, runtime, waiting, probes, "PodInitializing");
            initStatuses.add(status);
            var terminated = status.getState().getTerminated();
            if (terminated == null || terminated.getExitCode() != 0) {
                incompleteInits.add(init.getName());
                if (terminated != null && restartPolicy.equals("Never")) {
                    initFailed = true;
                }
            }
        }
        boolean initialized = incompleteInits.isEmpty();
        List<io.fabric8.kubernetes.api.model.ContainerStatus> statuses = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        int running = 0;
        int waitingNew = 0;
        int succeeded = 0;
        int failed = 0;
        for (Container container : containers) {
            var status = containerStatus(container, runtime, waiting, probes, initialized ? "ContainerCreating"
                    : "PodInitializing");
            statuses.add(status);
            if (!Boolean.TRUE.equals(status.getReady())) {
                unready.add(container.getName());
            }
            var state = status.getState();
            if (state.getRunning() != null) {
                running++;
            } else if (state.getTerminated() != null) {
                if (state.getTerminated().getExitCode() == 0) {
                    succeeded++;
                } else {
                    failed++;
                }
            } else if (status.getLastState() != null && status.getLastState().getTerminated() != null) {
                running++; // waiting to restart: the pod is still running
            } else {
                waitingNew++;
            }
        }

        String phase;
        if (initFailed) {
            phase = "Failed";
        } else if (!initialized || waitingNew > 0) {
            phase = "Pending";
        } else if (running > 0) {
            phase = "Running";
        } else if (restartPolicy.equals("Always")) {
            phase = "Running"; // all exited, all about to restart
        } else if (failed > 0 && restartPolicy.equals("Never")) {
            phase = "Failed";
        } else if (failed > 0) {
            phase = "Running"; // OnFailure: the failed ones restart
        } else {
            phase = succeeded == containers.size() ? "Succeeded" : "Pending";
        }
        boolean completed = phase.equals("Succeeded") || phase.equals("Failed");

        List<PodCondition> previous = pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition("PodReadyToStartContainers", runtime.ready != null ? "True" : "False", null, null,
                previous, now));
        conditions.add(initialized ? condition("Initialized", "True", null, null, previous, now)
                : condition("Initialized", "False", "ContainersNotInitialized",
                        "containers with incomplete status: " + incompleteInits, previous, now));
        String readyStatus = unready.isEmpty() && !completed ? "True" : "False";
        String reason = completed ? "PodCompleted" : unready.isEmpty() ? null : "ContainersNotReady";
        String message = completed || unready.isEmpty() ? null : "containers with unready status: " + unready;
        conditions.add(condition("Ready", readyStatus, reason, message, previous, now));
        conditions.add(condition("ContainersReady", readyStatus, reason, message, previous, now));
        previous.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().ifPresent(conditions::add);

        PodStatusBuilder builder = new PodStatusBuilder().withPhase(phase).withConditions(conditions)
                .withHostIP(hostIp).withHostIPs(new HostIPBuilder().withIp(hostIp).build())
                .withStartTime(MicroTime.seconds(startTime)).withQosClass(qosClass(pod))
                .withContainerStatuses(statuses);
        if (!initStatuses.isEmpty()) {
            builder.withInitContainerStatuses(initStatuses);
        }
        if (podIp != null && !podIp.isEmpty()) {
            builder.withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build());
        }
        return builder.build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus containerStatus(Container container,
            PodRuntime runtime, Map<String, String[]> waiting, ContainerProbes probes, String defaultWaiting) {
        String name = container.getName();
        ContainerStatus latest = runtime.latest(name);
        String[] why = waiting.get(name);
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(name)
                .withImage(fullImageName(container.getImage())).withImageID("").withRestartCount(0)
                .withReady(false).withStarted(false);
        if (latest == null) {
            return status.withState(new ContainerStateBuilder().withNewWaiting()
                    .withReason(why != null ? why[0] : defaultWaiting).withMessage(why != null ? why[1] : null)
                    .endWaiting().build()).build();
        }
        status.withRestartCount(latest.getMetadata().getAttempt()).withImageID(latest.getImageRef())
                .withContainerID("containerd://" + latest.getId());
        if (why != null) {
            // Waiting for a restart (back-off, a pull): the exited attempt is the last state.
            status.withState(new ContainerStateBuilder().withNewWaiting().withReason(why[0]).withMessage(why[1])
                    .endWaiting().build());
            if (latest.getState() == ContainerState.CONTAINER_EXITED) {
                status.withNewLastState().withTerminated(terminated(latest)).endLastState();
            }
            return status.build();
        }
        switch (latest.getState()) {
            case CONTAINER_RUNNING -> status.withReady(probes.ready(container, latest.getId()))
                    .withStarted(probes.started(container, latest.getId()))
                    .withState(new ContainerStateBuilder().withNewRunning()
                            .withStartedAt(MicroTime.seconds(nanos(latest.getStartedAt()))).endRunning().build());
            case CONTAINER_EXITED -> status.withState(new ContainerStateBuilder().withTerminated(terminated(latest))
                    .build());
            default -> status.withState(new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating")
                    .endWaiting().build());
        }
        ContainerStatus previous = runtime.previous(name);
        if (previous != null && previous.getState() == ContainerState.CONTAINER_EXITED) {
            status.withNewLastState().withTerminated(terminated(previous)).endLastState();
        }
        return status.build();
    }

    private static ContainerStateTerminated terminated(ContainerStatus container) {
        return new ContainerStateTerminatedBuilder().withExitCode(container.getExitCode())
                .withReason(container.getReason().isEmpty() ? null : container.getReason())
                .withMessage(container.getMessage().isEmpty() ? null : container.getMessage())
                .withStartedAt(MicroTime.seconds(nanos(container.getStartedAt())))
                .withFinishedAt(MicroTime.seconds(nanos(container.getFinishedAt())))
                .withContainerID("containerd://" + container.getId()).build();
    }

    private static Instant nanos(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }

    private static PodCondition condition(String type, String status, String reason, String message,
            List<PodCondition> previous, Instant now) {
        String transition = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(PodCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst()
                .orElse(MicroTime.seconds(now));
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(transition).withLastProbeTime(null).build();
    }

    /** The image as the runtime names it: {@code busybox} is {@code docker.io/library/busybox:latest}. */
    static String fullImageName(String image) {
        String name = image;
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        if (slash < 0) {
            name = "docker.io/library/" + name;
        } else if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
            name = "docker.io/" + name;
        }
        String last = name.substring(name.lastIndexOf('/') + 1);
        if (!last.contains(":") && !name.contains("@")) {
            name = name + ":latest";
        }
        return name;
    }

    /** Guaranteed when every container's CPU and memory limits equal its requests, BestEffort with none. */
    static String qosClass(Pod pod) {
        List<Container> all = new ArrayList<>(PodWorker.list(pod.getSpec().getInitContainers()));
        all.addAll(PodWorker.list(pod.getSpec().getContainers()));
        boolean any = false;
        boolean guaranteed = true;
        for (Container container : all) {
            ResourceRequirements resources = container.getResources();
            Map<String, Quantity> requests = resources == null || resources.getRequests() == null ? Map.of()
                    : resources.getRequests();
            Map<String, Quantity> limits = resources == null || resources.getLimits() == null ? Map.of()
                    : resources.getLimits();
            for (String resource : List.of("cpu", "memory")) {
                Quantity request = requests.get(resource);
                Quantity limit = limits.get(resource);
                any |= request != null || limit != null;
                if (limit == null || (request != null && request.getNumericalAmount().compareTo(
                        limit.getNumericalAmount()) != 0)) {
                    guaranteed = false;
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
