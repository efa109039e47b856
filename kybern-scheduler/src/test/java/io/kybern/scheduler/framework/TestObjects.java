package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nodes and pods for the scheduler's unit tests, built with fabric8's builders. */
public final class TestObjects {

    private TestObjects() {
    }

    /** A node with that much allocatable CPU (cores) and memory (Gi), 110 pods, and the hostname label. */
    public static NodeBuilder node(String name, String cpu, String memory) {
        Map<String, Quantity> allocatable = new LinkedHashMap<>();
        allocatable.put("cpu", new Quantity(cpu));
        allocatable.put("memory", new Quantity(memory));
        allocatable.put("pods", new Quantity("110"));
        allocatable.put("ephemeral-storage", new Quantity("100Gi"));
        return new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(new LinkedHashMap<>(Map.of("kubernetes.io/hostname", name))).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable).endStatus();
    }

    public static NodeInfo info(Node node, Pod... pods) {
        NodeInfo info = new NodeInfo(node);
        for (Pod pod : pods) {
            info.addPod(NodeInfo.PodInfo.of(pod));
        }
        return info;
    }

    public static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    /** A pod in namespace {@code default} with one container requesting {@code cpu} and {@code memory}. */
    public static PodBuilder pod(String name, String cpu, String memory) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        if (cpu != null) {
            requests.put("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            requests.put("memory", new Quantity(memory));
        }
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid("uid-" + name).withLabels(new LinkedHashMap<>()).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("c").withImage("busybox")
                        .withNewResources().withRequests(requests).endResources().build())
                .endSpec();
    }

    /** The same pod placed on {@code node}. */
    public static Pod on(Pod pod, String node) {
        Pod placed = new PodBuilder(pod).build();
        placed.getSpec().setNodeName(node);
        return placed;
    }

    public static List<NodeInfo> infos(NodeInfo... infos) {
        return new ArrayList<>(List.of(infos));
    }
}
