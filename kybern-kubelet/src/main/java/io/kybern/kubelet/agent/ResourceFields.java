package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A container's resource as the downward API gives it (resourceFieldRef in env and downwardAPI volumes):
 * {@code limits.cpu}, {@code requests.memory}... divided by the divisor (default 1) and rounded up; a limit
 * not set is the node's allocatable amount (its CPUs and memory), a request not set is 0.
 */
final class ResourceFields {

    /** What the node can give a container, for the limits not set. */
    record Node(BigDecimal cpus, BigDecimal memoryBytes) {
        static Node local() {
            return new Node(BigDecimal.valueOf(Runtime.getRuntime().availableProcessors()),
                    BigDecimal.valueOf(PodWorker.MACHINE_MEMORY_BYTES));
        }
    }

    private ResourceFields() {
    }

    /** The value, or a ConfigError naming what is wrong (an unknown resource or container). */
    static String value(Pod pod, String defaultContainer, ResourceFieldSelector selector, Node node)
            throws ContainerEnv.ConfigError {
        String name = selector.getContainerName() == null || selector.getContainerName().isEmpty() ? defaultContainer
                : selector.getContainerName();
        Container container = Stream.concat(PodWorker.list(pod.getSpec().getContainers()).stream(),
                PodWorker.list(pod.getSpec().getInitContainers()).stream()).filter(c -> c.getName().equals(name))
                .findFirst().orElseThrow(() -> new ContainerEnv.ConfigError("container " + name + " not found"));
        String resource = selector.getResource();
        int dot = resource.indexOf('.');
        String kind = dot < 0 ? "" : resource.substring(0, dot);
        String what = resource.substring(dot + 1);
        if (!kind.equals("limits") && !kind.equals("requests")) {
            throw new ContainerEnv.ConfigError("unsupported container resource : " + resource);
        }
        var resources = container.getResources();
        Map<String, Quantity> set = resources == null ? null
                : kind.equals("limits") ? resources.getLimits() : resources.getRequests();
        Quantity quantity = set == null ? null : set.get(what);
        BigDecimal amount;
        if (quantity != null) {
            amount = quantity.getNumericalAmount();
        } else if (kind.equals("limits") && what.equals("cpu")) {
            amount = node.cpus();
        } else if (kind.equals("limits") && what.equals("memory")) {
            amount = node.memoryBytes();
        } else {
            amount = BigDecimal.ZERO;
        }
        BigDecimal divisor = selector.getDivisor() == null ? BigDecimal.ONE
                : selector.getDivisor().getNumericalAmount();
        if (divisor.signum() == 0) {
            divisor = BigDecimal.ONE;
        }
        return amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }
}
