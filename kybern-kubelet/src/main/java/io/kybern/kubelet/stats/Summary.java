package io.kybern.kubelet.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Kubelet's {@code stats/v1alpha1} Summary as it travels in JSON: the node and the pods on it. Field names are
 * kubelet's; a figure the agent does not know is left out (null), as kubelet leaves out what its providers
 * lack. Times are RFC 3339 strings.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Summary(NodeStats node, List<PodStats> pods) {

    /** The same figures but CPU and memory, as kubelet answers {@code only_cpu_and_memory=true}. */
    public Summary onlyCpuAndMemory() {
        NodeStats n = new NodeStats(node.nodeName(), node.startTime(), node.cpu(), node.memory(), null, null, null,
                null);
        List<PodStats> p = pods.stream().map(pod -> new PodStats(pod.podRef(), pod.startTime(),
                pod.containers().stream().map(c -> new ContainerStats(c.name(), c.startTime(), c.cpu(), c.memory(),
                        null, null)).toList(), pod.cpu(), pod.memory(), null, null, null)).toList();
        return new Summary(n, p);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeStats(String nodeName, String startTime, CpuStats cpu, MemoryStats memory,
            NetworkStats network, FsStats fs, RuntimeStats runtime, RlimitStats rlimit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PodStats(PodReference podRef, String startTime, List<ContainerStats> containers, CpuStats cpu,
            MemoryStats memory, NetworkStats network, List<VolumeStats> volume,
            @JsonProperty("ephemeral-storage") FsStats ephemeralStorage) {
    }

    public record PodReference(String name, String namespace, String uid) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContainerStats(String name, String startTime, CpuStats cpu, MemoryStats memory, FsStats rootfs,
            FsStats logs) {
    }

    /** {@code usageNanoCores} is absent until two samples of the cumulative time exist. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CpuStats(String time, Long usageNanoCores, Long usageCoreNanoSeconds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MemoryStats(String time, Long availableBytes, Long usageBytes, Long workingSetBytes, Long rssBytes,
            Long pageFaults, Long majorPageFaults) {
    }

    /** The default interface's figures, and every interface's. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NetworkStats(String time, String name, Long rxBytes, Long rxErrors, Long txBytes, Long txErrors,
            List<InterfaceStats> interfaces) {
    }

    public record InterfaceStats(String name, Long rxBytes, Long rxErrors, Long txBytes, Long txErrors) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FsStats(String time, Long availableBytes, Long capacityBytes, Long usedBytes, Long inodesFree,
            Long inodes, Long inodesUsed) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VolumeStats(String name, String time, Long availableBytes, Long capacityBytes, Long usedBytes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RuntimeStats(FsStats imageFs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RlimitStats(String time, Long maxpid, Long curproc) {
    }
}
