package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The host-port part of kubelet's admission: a pod that reaches the node without the scheduler (its
 * {@code nodeName} set by its author) and asks for a host port another admitted pod of the node holds is
 * rejected as kubelet rejects it: phase Failed, reason {@code NodePorts}, message
 * {@code Pod was rejected: Predicate NodePorts failed}. Pods are admitted one at a time (the methods are
 * synchronized), so two pods racing for a port cannot both get it. The pods the API reports Running on the
 * node count as admitted too, so that after an agent restart a waiting pod cannot take the port of a running
 * one whose worker has not adopted it yet.
 *
 * <p>Only pods are checked, as Kubernetes checks them: a host port held by a process of the machine is not
 * seen (CNI's portmap forwards the port by NAT without binding it, so such a pod runs, and connections to the
 * port from outside reach the pod).
 */
final class HostPortAdmission {

    static final String REASON = "NodePorts";
    static final String MESSAGE = "Predicate NodePorts failed";

    /** One host port: address ("0.0.0.0" for every address), protocol and port. */
    record HostPort(String ip, String protocol, int port) {
        boolean conflictsWith(HostPort other) {
            return port == other.port && protocol.equals(other.protocol)
                    && (ip.equals(other.ip) || ip.equals("0.0.0.0") || other.ip.equals("0.0.0.0"));
        }
    }

    /** The admitted pods' host ports, by pod UID. */
    private final Map<String, Set<HostPort>> admitted = new ConcurrentHashMap<>();
    private final Supplier<Collection<Pod>> podsOfNode;

    /** @param podsOfNode the pods the API has on this node (the agent's cache) */
    HostPortAdmission(Supplier<Collection<Pod>> podsOfNode) {
        this.podsOfNode = podsOfNode;
    }

    /** Admits the pod, or returns why not (then it is not admitted). */
    synchronized String admit(Pod pod) {
        String uid = pod.getMetadata().getUid();
        Set<HostPort> wanted = hostPortsOf(pod);
        if (wanted.isEmpty()) {
            admitted.put(uid, wanted);
            return null;
        }
        Map<String, Set<HostPort>> held = new HashMap<>(admitted);
        for (Pod other : podsOfNode.get()) {
            if (other.getStatus() != null && "Running".equals(other.getStatus().getPhase())) {
                held.putIfAbsent(other.getMetadata().getUid(), hostPortsOf(other));
            }
        }
        held.remove(uid);
        for (Set<HostPort> ports : held.values()) {
            for (HostPort port : wanted) {
                for (HostPort used : ports) {
                    if (port.conflictsWith(used)) {
                        return MESSAGE;
                    }
                }
            }
        }
        admitted.put(uid, wanted);
        return null;
    }

    /** A pod that already runs (adopted after a restart): its ports are its, whatever else asks. */
    synchronized void adopt(Pod pod) {
        admitted.put(pod.getMetadata().getUid(), hostPortsOf(pod));
    }

    /** The pod finished or is gone: its ports are free. */
    synchronized void release(String uid) {
        admitted.remove(uid);
    }

    static Set<HostPort> hostPortsOf(Pod pod) {
        Set<HostPort> ports = new LinkedHashSet<>();
        List<Container> containers = new ArrayList<>(PodWorker.list(pod.getSpec().getInitContainers()));
        containers.addAll(PodWorker.list(pod.getSpec().getContainers()));
        for (Container container : containers) {
            for (ContainerPort port : PodWorker.list(container.getPorts())) {
                if (port.getHostPort() != null && port.getHostPort() > 0) {
                    String ip = port.getHostIP() == null || port.getHostIP().isEmpty() ? "0.0.0.0" : port.getHostIP();
                    ports.add(new HostPort(ip, Objects.requireNonNullElse(port.getProtocol(), "TCP"),
                            port.getHostPort()));
                }
            }
        }
        return ports;
    }
}
