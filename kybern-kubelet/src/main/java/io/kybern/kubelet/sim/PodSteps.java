package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.kybern.kubelet.node.MicroTime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The next step of a pod's life on a running simulated node, decided from the pod alone and the time:
 * a pod being deleted is removed; a new one starts (Running, its containers running with fake ids); a
 * started one turns Ready when its script allows and, if it is not restarted on exit, finishes after its
 * run time. Pure, so the rules are tested without a server; {@link SimulatedPods} carries the steps out.
 *
 * @param status    the status to write, if it changes
 * @param delete    whether to remove the pod (its deletion has been asked for)
 * @param recheckAt when the pod's state changes next without an event (readiness, completion)
 */
record PodSteps(Optional<PodStatus> status, boolean delete, Optional<Instant> recheckAt) {

    static final String RUNTIME_SCHEME = "kybern-sim://";
    private static final PodSteps NOTHING = new PodSteps(Optional.empty(), false, Optional.empty());

    static PodSteps next(Pod pod, String hostIp, Supplier<String> podIp, Instant now) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new PodSteps(Optional.empty(), true, Optional.empty());
        }
        PodStatus current = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        String phase = current.getPhase() == null ? "Pending" : current.getPhase();
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            return NOTHING;
        }
        PodScript script = PodScript.of(pod);
        Instant started = current.getStartTime() == null || !phase.equals("Running") ? null
                : Instant.parse(current.getStartTime());
        if (started == null) {
            started = now;
        }
        Optional<Instant> finishAt = script.runFor().map(started::plus);
        Instant readyAt = started.plus(script.readyAfter());
        if (finishAt.isPresent() && !finishAt.get().isAfter(now) && phase.equals("Running")) {
            return new PodSteps(Optional.of(finished(pod, current, script.exitCode(), started, now)), false,
                    Optional.empty());
        }
        boolean ready = script.readyAllowed() && !readyAt.isAfter(now);
        Optional<Instant> recheck = Stream.of(Optional.of(readyAt).filter(t -> !ready && script.readyAllowed()),
                finishAt).flatMap(Optional::stream).filter(t -> t.isAfter(now) || phase.equals("Pending"))
                .min(Instant::compareTo);
        if (phase.equals("Running") && ready == isReady(current)) {
            return new PodSteps(Optional.empty(), false, recheck);
        }
        String ip = Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) ? hostIp
                : current.getPodIP() != null ? current.getPodIP() : podIp.get();
        return new PodSteps(Optional.of(running(pod, current, hostIp, ip, started, ready, now)), false, recheck);
    }

    static boolean isReady(PodStatus status) {
        return status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static PodStatus running(Pod pod, PodStatus current, String hostIp, String podIp, Instant started,
            boolean ready, Instant now) {
        List<ContainerStatus> containers = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            containers.add(base(pod, container).withReady(ready).withStarted(true)
                    .withNewState().withNewRunning().withStartedAt(MicroTime.seconds(started)).endRunning().endState()
                    .build());
            if (!ready) {
                unready.add(container.getName());
            }
        }
        String notReadyMessage = "containers with unready status: [" + String.join(" ", unready) + "]";
        List<PodCondition> conditions = List.of(
                condition(current, "PodReadyToStartContainers", "True", null, null, now),
                condition(current, "Initialized", "True", null, null, now),
                condition(current, "Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady",
                        ready ? null : notReadyMessage, now),
                condition(current, "ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady",
                        ready ? null : notReadyMessage, now),
                condition(current, "PodScheduled", "True", null, null, now));
        return new PodStatusBuilder(current).withPhase("Running").withConditions(conditions)
                .withHostIP(hostIp).withHostIPs(new HostIPBuilder().withIp(hostIp).build())
                .withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build())
                .withStartTime(MicroTime.seconds(started))
                .withInitContainerStatuses(initContainers(pod, started))
                .withContainerStatuses(containers).build();
    }

    private static PodStatus finished(Pod pod, PodStatus current, int exitCode, Instant started, Instant now) {
        String reason = exitCode == 0 ? "Completed" : "Error";
        List<ContainerStatus> containers = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            containers.add(base(pod, container).withReady(false).withStarted(false)
                    .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
                    .withStartedAt(MicroTime.seconds(started)).withFinishedAt(MicroTime.seconds(now))
                    .withContainerID(containerId(pod, container)).endTerminated().endState()
                    .build());
        }
        List<PodCondition> conditions = List.of(
                condition(current, "PodReadyToStartContainers", "False", null, null, now),
                condition(current, "Initialized", "True", "PodCompleted", null, now),
                condition(current, "Ready", "False", "PodCompleted", null, now),
                condition(current, "ContainersReady", "False", "PodCompleted", null, now),
                condition(current, "PodScheduled", "True", null, null, now));
        return new PodStatusBuilder(current).withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withConditions(conditions).withContainerStatuses(containers).build();
    }

    /** Init containers have all run, successfully, when the pod's containers start. */
    private static List<ContainerStatus> initContainers(Pod pod, Instant started) {
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getSpec().getInitContainers() == null) {
            return statuses;
        }
        for (Container container : pod.getSpec().getInitContainers()) {
            statuses.add(base(pod, container).withReady(true).withStarted(false)
                    .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                    .withStartedAt(MicroTime.seconds(started)).withFinishedAt(MicroTime.seconds(started))
                    .withContainerID(containerId(pod, container)).endTerminated().endState().build());
        }
        return statuses;
    }

    private static ContainerStatusBuilder base(Pod pod, Container container) {
        String image = normalizedImage(container.getImage());
        return new ContainerStatusBuilder().withName(container.getName()).withImage(image)
                .withImageID(repository(image) + "@sha256:" + sha256(image))
                .withContainerID(containerId(pod, container)).withRestartCount(0);
    }

    private static String containerId(Pod pod, Container container) {
        return RUNTIME_SCHEME + sha256(pod.getMetadata().getUid() + "/" + container.getName());
    }

    /** The image as a container runtime reports it: registry, repository and tag spelled out. */
    static String normalizedImage(String image) {
        if (image == null || image.isEmpty()) {
            return "";
        }
        String name = image;
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        if (slash < 0) {
            name = "docker.io/library/" + name;
        } else if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
            name = "docker.io/" + name;
        }
        int lastSlash = name.lastIndexOf('/');
        if (!name.contains("@") && name.indexOf(':', lastSlash) < 0) {
            name = name + ":latest";
        }
        return name;
    }

    private static String repository(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return image.substring(0, at);
        }
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
    }

    /**
     * A condition as kubelet writes it: its lastTransitionTime kept while its status does not change.
     */
    private static PodCondition condition(PodStatus current, String type, String status, String reason,
            String message, Instant now) {
        String transition = current.getConditions() == null ? null : current.getConditions().stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(PodCondition::getLastTransitionTime).filter(t -> t != null).findFirst().orElse(null);
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(transition != null ? transition : MicroTime.seconds(now)).build();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
