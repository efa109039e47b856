package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One node and the pods on it (bound, or assumed by the scheduler and not yet bound), with what they
 * request summed, so a filter reads totals rather than walking pods. The scheduler's cache keeps one per
 * node and hands each scheduling cycle copies ({@link #copy()}), which preemption may change freely.
 */
public final class NodeInfo {

    /** A pod on the node with its requests, computed once. */
    public record PodInfo(Pod pod, Resources requests, Resources nonZeroRequests) {
        public static PodInfo of(Pod pod) {
            return new PodInfo(pod, PodRequests.of(pod), PodRequests.nonZero(pod));
        }

        public String key() {
            return Pods.key(pod);
        }
    }

    /** A host port a pod holds: its IP (0.0.0.0 for every address), protocol and number. */
    public record HostPort(String ip, String protocol, int port) {
        public boolean conflictsWith(HostPort other) {
            return port == other.port && protocol.equals(other.protocol)
                    && (ip.equals(other.ip) || ip.equals("0.0.0.0") || other.ip.equals("0.0.0.0"));
        }
    }

    private Node node;
    private final List<PodInfo> pods = new ArrayList<>();
    /** The pods with pod affinity or anti-affinity terms, whose preferences score every incoming pod. */
    private final List<PodInfo> podsWithAffinity = new ArrayList<>();
    /** The pods with required anti-affinity terms, which every incoming pod must be checked against. */
    private final List<PodInfo> podsWithRequiredAntiAffinity = new ArrayList<>();
    private final Resources requested = new Resources();
    private final Resources nonZeroRequested = new Resources();
    private final List<HostPort> usedPorts = new ArrayList<>();
    private Resources allocatable = new Resources();
    private long allowedPods;
    private long generation;

    public NodeInfo(Node node) {
        setNode(node);
    }

    /** For {@link #copy()}: the node's figures are copied, not parsed again. */
    private NodeInfo() {
    }

    public Node node() {
        return node;
    }

    public String name() {
        return node.getMetadata().getName();
    }

    public void setNode(Node node) {
        this.node = node;
        Map<String, Quantity> alloc = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        this.allocatable = Resources.of(alloc);
        Quantity pods = alloc == null ? null : alloc.get(Resources.PODS);
        this.allowedPods = pods == null ? 0 : pods.getNumericalAmount().longValue();
    }

    public List<PodInfo> pods() {
        return pods;
    }

    /** The pods here whose spec has pod affinity or anti-affinity (Kubernetes keeps the same list). */
    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinity;
    }

    /** The pods here whose spec has required pod anti-affinity terms (Kubernetes keeps the same list). */
    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    public Resources requested() {
        return requested;
    }

    public Resources nonZeroRequested() {
        return nonZeroRequested;
    }

    public Resources allocatable() {
        return allocatable;
    }

    public long allowedPods() {
        return allowedPods;
    }

    public List<HostPort> usedPorts() {
        return usedPorts;
    }

    public long generation() {
        return generation;
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }

    public void addPod(PodInfo info) {
        pods.add(info);
        var affinity = info.pod().getSpec().getAffinity();
        if (affinity != null && (affinity.getPodAffinity() != null || affinity.getPodAntiAffinity() != null)) {
            podsWithAffinity.add(info);
        }
        if (hasRequiredAntiAffinity(info.pod())) {
            podsWithRequiredAntiAffinity.add(info);
        }
        requested.add(info.requests());
        nonZeroRequested.add(info.nonZeroRequests());
        usedPorts.addAll(hostPortsOf(info.pod()));
    }

    /** Removes the pod with that key; false when it is not here. */
    public boolean removePod(String key) {
        for (int i = 0; i < pods.size(); i++) {
            PodInfo info = pods.get(i);
            if (info.key().equals(key)) {
                pods.remove(i);
                podsWithAffinity.removeIf(other -> other == info);
                podsWithRequiredAntiAffinity.removeIf(other -> other == info);
                requested.subtract(info.requests());
                nonZeroRequested.subtract(info.nonZeroRequests());
                for (HostPort port : hostPortsOf(info.pod())) {
                    usedPorts.remove(port);
                }
                return true;
            }
        }
        return false;
    }

    public NodeInfo copy() {
        NodeInfo copy = new NodeInfo();
        copy.node = node;
        copy.allocatable = allocatable;
        copy.allowedPods = allowedPods;
        copy.pods.addAll(pods);
        copy.podsWithAffinity.addAll(podsWithAffinity);
        copy.podsWithRequiredAntiAffinity.addAll(podsWithRequiredAntiAffinity);
        copy.requested.add(requested);
        copy.nonZeroRequested.add(nonZeroRequested);
        copy.usedPorts.addAll(usedPorts);
        copy.generation = generation;
        return copy;
    }

    private static boolean hasRequiredAntiAffinity(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        return affinity != null && affinity.getPodAntiAffinity() != null
                && affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty();
    }

    /** The host ports a pod's containers ask for (a port without hostPort holds none). */
    public static List<HostPort> hostPortsOf(Pod pod) {
        List<HostPort> ports = new ArrayList<>();
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            containers.addAll(pod.getSpec().getInitContainers());
        }
        Set<HostPort> seen = new HashSet<>();
        for (Container container : containers) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                if (port.getHostPort() == null || port.getHostPort() <= 0) {
                    continue;
                }
                String ip = port.getHostIP() == null || port.getHostIP().isEmpty() ? "0.0.0.0" : port.getHostIP();
                String protocol = Objects.requireNonNullElse(port.getProtocol(), "TCP");
                HostPort hostPort = new HostPort(ip, protocol, port.getHostPort());
                if (seen.add(hostPort)) {
                    ports.add(hostPort);
                }
            }
        }
        return ports;
    }
}
