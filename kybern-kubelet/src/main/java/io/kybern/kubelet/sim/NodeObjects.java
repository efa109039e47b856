package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kybern.kubelet.node.MicroTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Node a simulated node registers and the status it posts: what kubelet would report for a healthy
 * linux/amd64 machine, with addresses and a pod CIDR derived from the node's index so that every node of
 * a set differs.
 */
final class NodeObjects {

    static final String OS_IMAGE = "Kybern simulated node";
    static final String KERNEL_VERSION = "simulated";
    static final String CONTAINER_RUNTIME = "kybern-sim://0.1.0";

    private NodeObjects() {
    }

    /** The node's InternalIP: 100.64.0.0/10 (shared address space), one address per index. */
    static String internalIp(int index) {
        int n = index + 1;
        return "100." + (64 + ((n >> 16) & 63)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    /** The node's pod CIDR, a /24 per node counted up from 10.42.0.0 (k3s' cluster CIDR). */
    static String podCidr(int index) {
        return "10." + (42 + index / 256) + "." + (index % 256) + ".0/24";
    }

    /** The n-th pod address of a node's /24 (.2 to .254; .1 is the node's bridge). */
    static String podIp(int index, int n) {
        return "10." + (42 + index / 256) + "." + (index % 256) + "." + (2 + Math.floorMod(n, 253));
    }

    static Node node(String name, int index, NodeShape shape, String kubeletVersion, Instant now) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put(SimulatedNodes.SIMULATED_LABEL, "true");
        labels.putAll(shape.labels());
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                .endMetadata()
                .withNewSpec().withPodCIDR(podCidr(index)).withPodCIDRs(podCidr(index))
                .withProviderID("kybern-sim://" + name).withTaints(shape.taints()).endSpec()
                .withStatus(status(name, index, shape, kubeletVersion, now, List.of()))
                .build();
    }

    /**
     * A healthy node's status at {@code now}. Conditions whose status is unchanged from {@code previous}
     * keep their lastTransitionTime, as kubelet's do.
     */
    static NodeStatus status(String name, int index, NodeShape shape, String kubeletVersion, Instant now,
            List<NodeCondition> previous) {
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(shape.cpu()));
        capacity.put("ephemeral-storage", new Quantity("100Gi"));
        capacity.put("hugepages-1Gi", new Quantity("0"));
        capacity.put("hugepages-2Mi", new Quantity("0"));
        capacity.put("memory", new Quantity(shape.memory()));
        capacity.put("pods", new Quantity(Integer.toString(shape.pods())));
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", now, previous));
        conditions.add(condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                now, previous));
        conditions.add(condition("PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", now, previous));
        conditions.add(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now,
                previous));
        UUID machine = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new NodeStatusBuilder().withCapacity(capacity).withAllocatable(capacity).withConditions(conditions)
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(internalIp(index)).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(name).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
                .withOsImage(OS_IMAGE).withKernelVersion(KERNEL_VERSION)
                .withContainerRuntimeVersion(CONTAINER_RUNTIME).withKubeletVersion(kubeletVersion)
                .withKubeProxyVersion(kubeletVersion)
                .withMachineID(machine.toString().replace("-", "")).withSystemUUID(machine.toString())
                .withBootID(UUID.nameUUIDFromBytes((name + "/boot").getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()).endNodeInfo()
                .build();
    }

    private static NodeCondition condition(String type, String status, String reason, String message, Instant now,
            List<NodeCondition> previous) {
        String transition = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(NodeCondition::getLastTransitionTime).filter(t -> t != null).findFirst()
                .orElse(MicroTime.seconds(now));
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(MicroTime.seconds(now)).withLastTransitionTime(transition).build();
    }
}
