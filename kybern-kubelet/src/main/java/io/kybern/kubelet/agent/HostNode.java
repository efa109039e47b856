package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kybern.kubelet.node.MicroTime;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Node of the machine the agent runs on, as kubelet reports it: capacity read from the machine (CPUs,
 * memory, the data directory's disk, 110 pods), addresses, the well-known labels and node info (kernel,
 * OS image, container runtime version).
 */
final class HostNode {

    static final int MAX_PODS = 110;

    private HostNode() {
    }

    static Node node(String name, String podCidr, String internalIp, int kubeletPort, String runtimeVersion,
            String kubeletVersion, Path dataDir, Instant now) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", arch());
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", arch());
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                .endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
                .withStatus(status(name, internalIp, kubeletPort, runtimeVersion, kubeletVersion, dataDir, now,
                        List.of()))
                .build();
    }

    static NodeStatus status(String name, String internalIp, int kubeletPort, String runtimeVersion,
            String kubeletVersion, Path dataDir, Instant now, List<NodeCondition> previous) {
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())));
        capacity.put("ephemeral-storage", new Quantity(diskKi(dataDir) + "Ki"));
        capacity.put("hugepages-1Gi", new Quantity("0"));
        capacity.put("hugepages-2Mi", new Quantity("0"));
        capacity.put("memory", new Quantity(memInfoKi("MemTotal") + "Ki"));
        capacity.put("pods", new Quantity(Integer.toString(MAX_PODS)));
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", now, previous));
        conditions.add(condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                now, previous));
        conditions.add(condition("PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", now, previous));
        conditions.add(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now,
                previous));
        return new NodeStatusBuilder().withCapacity(capacity).withAllocatable(capacity).withConditions(conditions)
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(internalIp).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(name).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture(arch()).withOperatingSystem("linux")
                .withOsImage(osImage()).withKernelVersion(read("/proc/sys/kernel/osrelease", "unknown"))
                .withContainerRuntimeVersion(runtimeVersion).withKubeletVersion(kubeletVersion)
                .withKubeProxyVersion(kubeletVersion)
                .withMachineID(read("/etc/machine-id", "")).withSystemUUID(read("/sys/class/dmi/id/product_uuid", ""))
                .withBootID(read("/proc/sys/kernel/random/boot_id", "")).endNodeInfo()
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

    /** Go's name for the machine's architecture, as the kubernetes.io/arch label has it. */
    static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    /**
     * The node's address as kubelet picks it without --node-ip: the IPv4 address of the interface the
     * default route leaves by, else the first non-loopback IPv4 address of an interface that is up (never
     * a pod bridge's or veth's, which the default route does not use).
     */
    static String firstAddress() {
        try {
            String routeInterface = defaultRouteInterface();
            String fallback = null;
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        if (nic.getName().equals(routeInterface)) {
                            return address.getHostAddress();
                        }
                        if (fallback == null) {
                            fallback = address.getHostAddress();
                        }
                    }
                }
            }
            if (fallback != null) {
                return fallback;
            }
        } catch (IOException e) {
            // fall through to loopback
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    /** The interface of the IPv4 default route in /proc/net/route (destination 00000000), or null. */
    private static String defaultRouteInterface() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 2 && fields[1].equals("00000000")) {
                    return fields[0];
                }
            }
        } catch (IOException e) {
            // no routes to read
        }
        return null;
    }

    private static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return "Linux";
    }

    static long memInfoKi(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    private static long diskKi(Path dataDir) {
        try {
            return Files.getFileStore(Files.exists(dataDir) ? dataDir : dataDir.getRoot()).getTotalSpace() / 1024;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String read(String file, String fallback) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return fallback;
        }
    }
}
