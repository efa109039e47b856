package io.kybern.kubelet.stats;

import io.kybern.kubelet.cri.api.Container;
import io.kybern.kubelet.cri.api.ContainerStats;
import io.kybern.kubelet.cri.api.FilesystemUsage;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.stats.Summary.CpuStats;
import io.kybern.kubelet.stats.Summary.FsStats;
import io.kybern.kubelet.stats.Summary.InterfaceStats;
import io.kybern.kubelet.stats.Summary.MemoryStats;
import io.kybern.kubelet.stats.Summary.NetworkStats;
import io.kybern.kubelet.stats.Summary.NodeStats;
import io.kybern.kubelet.stats.Summary.PodReference;
import io.kybern.kubelet.stats.Summary.PodStats;
import io.kybern.kubelet.stats.Summary.RlimitStats;
import io.kybern.kubelet.stats.Summary.RuntimeStats;
import io.kybern.kubelet.stats.Summary.VolumeStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Builds the Summary from what the runtime reported (sandboxes, running containers and their CRI stats) and
 * from the machine: {@code /proc} for the node, the file systems under the agent's directories for disk use.
 * A pod's CPU and memory are its containers' sums (kubelet reads the pod's cgroup; without CRI pod stats, the
 * sum is what the runtime tells), its ephemeral storage its containers' writable layers, logs and volumes.
 */
final class SummaryBuilder {

    /** The labels the agent puts on sandboxes (kubelet's), naming the pod. */
    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    private static final String NODE_KEY = "";

    /** What the runtime reported in one round of calls. */
    record RuntimeView(List<PodSandbox> readySandboxes, List<Container> runningContainers, List<ContainerStats> stats,
            List<FilesystemUsage> imageFilesystems) {
    }

    /** Where the agent keeps what it writes for pods. */
    record Directories(Path root, Path podLogs, Path volumes) {
    }

    private final String nodeName;
    private final HostReadings host;
    private final Directories directories;
    private final CpuRates rates = new CpuRates();

    SummaryBuilder(String nodeName, HostReadings host, Directories directories) {
        this.nodeName = nodeName;
        this.host = host;
        this.directories = directories;
    }

    Summary build(Instant now, RuntimeView runtime) throws IOException {
        String time = time(now);
        Set<String> seen = new HashSet<>();
        seen.add(NODE_KEY);
        long nodeCpu = host.cpuUsageNanos();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        CpuStats cpu = new CpuStats(time, rates.rate(NODE_KEY, nowNanos, nodeCpu), nodeCpu);
        HostReadings.Memory memory = host.memory();
        NodeStats node = new NodeStats(nodeName, time(Instant.ofEpochSecond(host.bootTimeSeconds())), cpu,
                new MemoryStats(time, memory.availableBytes(), memory.usageBytes(), memory.workingSetBytes(),
                        memory.rssBytes(), memory.pageFaults(), memory.majorPageFaults()),
                network(time), fs(time, directories.root(), null, null), new RuntimeStats(imageFs(time, runtime)),
                new RlimitStats(time, host.maxPids(), host.processes()));

        Map<String, ContainerStats> statsById = new LinkedHashMap<>();
        runtime.stats().forEach(s -> statsById.put(s.getAttributes().getId(), s));
        List<PodStats> pods = new ArrayList<>();
        for (PodSandbox sandbox : runtime.readySandboxes()) {
            List<Container> containers = runtime.runningContainers().stream()
                    .filter(c -> c.getPodSandboxId().equals(sandbox.getId()))
                    .sorted(Comparator.comparing(c -> c.getMetadata().getName())).toList();
            List<Summary.ContainerStats> containerStats = new ArrayList<>();
            for (Container container : containers) {
                seen.add(container.getId());
                containerStats.add(container(time, sandbox, container, statsById.get(container.getId())));
            }
            pods.add(pod(time, sandbox, containerStats));
        }
        rates.retain(seen);
        return new Summary(node, pods);
    }

    private Summary.ContainerStats container(String time, PodSandbox sandbox, Container container,
            ContainerStats stats) {
        String name = container.getMetadata().getName();
        CpuStats cpu = null;
        MemoryStats memory = null;
        FsStats rootfs = null;
        if (stats != null) {
            if (stats.hasCpu() && stats.getCpu().hasUsageCoreNanoSeconds()) {
                long usage = stats.getCpu().getUsageCoreNanoSeconds().getValue();
                long sampled = stats.getCpu().getTimestamp();
                cpu = new CpuStats(time(sampled), rates.rate(container.getId(), sampled, usage), usage);
            }
            if (stats.hasMemory()) {
                var m = stats.getMemory();
                memory = new MemoryStats(time(m.getTimestamp()),
                        m.hasAvailableBytes() ? m.getAvailableBytes().getValue() : null,
                        m.hasUsageBytes() ? m.getUsageBytes().getValue() : null,
                        m.hasWorkingSetBytes() ? m.getWorkingSetBytes().getValue() : null,
                        m.hasRssBytes() ? m.getRssBytes().getValue() : null,
                        m.hasPageFaults() ? m.getPageFaults().getValue() : null,
                        m.hasMajorPageFaults() ? m.getMajorPageFaults().getValue() : null);
            }
            if (stats.hasWritableLayer()) {
                FilesystemUsage layer = stats.getWritableLayer();
                rootfs = fs(time, mountpoint(layer), layer.hasUsedBytes() ? layer.getUsedBytes().getValue() : null,
                        layer.hasInodesUsed() ? layer.getInodesUsed().getValue() : null);
            }
        }
        Path logs = podLogDir(sandbox).resolve(name);
        FsStats logFs = fs(time, directories.podLogs(), usedBytes(logs), null);
        return new Summary.ContainerStats(name, time(container.getCreatedAt()), cpu, memory, rootfs, logFs);
    }

    private PodStats pod(String time, PodSandbox sandbox, List<Summary.ContainerStats> containers) {
        String uid = sandbox.getLabelsOrDefault(POD_UID, sandbox.getMetadata().getUid());
        PodReference ref = new PodReference(sandbox.getLabelsOrDefault(POD_NAME, sandbox.getMetadata().getName()),
                sandbox.getLabelsOrDefault(POD_NAMESPACE, sandbox.getMetadata().getNamespace()), uid);
        List<VolumeStats> volumes = volumes(time, directories.volumes().resolve(uid));
        long ephemeral = 0;
        for (Summary.ContainerStats container : containers) {
            ephemeral += orZero(container.rootfs() == null ? null : container.rootfs().usedBytes());
            ephemeral += orZero(container.logs().usedBytes());
        }
        for (VolumeStats volume : volumes) {
            ephemeral += orZero(volume.usedBytes());
        }
        FsStats ephemeralStorage = fs(time, directories.root(), ephemeral, null);
        return new PodStats(ref, time(sandbox.getCreatedAt()), containers, podCpu(time, containers),
                podMemory(time, containers), null, volumes.isEmpty() ? null : volumes, ephemeralStorage);
    }

    /** The containers' sums; the rate only when every container has one (else it would understate). */
    private static CpuStats podCpu(String time, List<Summary.ContainerStats> containers) {
        if (containers.isEmpty() || containers.stream().anyMatch(c -> c.cpu() == null)) {
            return null;
        }
        boolean rated = containers.stream().allMatch(c -> c.cpu().usageNanoCores() != null);
        long rate = 0;
        long usage = 0;
        for (Summary.ContainerStats container : containers) {
            rate += orZero(container.cpu().usageNanoCores());
            usage += orZero(container.cpu().usageCoreNanoSeconds());
        }
        return new CpuStats(time, rated ? rate : null, usage);
    }

    private static MemoryStats podMemory(String time, List<Summary.ContainerStats> containers) {
        if (containers.isEmpty() || containers.stream().anyMatch(c -> c.memory() == null)) {
            return null;
        }
        return new MemoryStats(time, null,
                sum(containers, MemoryStats::usageBytes), sum(containers, MemoryStats::workingSetBytes),
                sum(containers, MemoryStats::rssBytes), sum(containers, MemoryStats::pageFaults),
                sum(containers, MemoryStats::majorPageFaults));
    }

    private static Long sum(List<Summary.ContainerStats> containers,
            Function<MemoryStats, Long> figure) {
        long total = 0;
        for (Summary.ContainerStats container : containers) {
            Long value = figure.apply(container.memory());
            if (value == null) {
                return null;
            }
            total += value;
        }
        return total;
    }

    private NetworkStats network(String time) throws IOException {
        List<InterfaceStats> interfaces = host.interfaces();
        if (interfaces.isEmpty()) {
            return null;
        }
        String preferred = host.defaultInterface();
        InterfaceStats main = interfaces.stream().filter(i -> i.name().equals(preferred)).findFirst()
                .orElse(interfaces.get(0));
        return new NetworkStats(time, main.name(), main.rxBytes(), main.rxErrors(), main.txBytes(), main.txErrors(),
                interfaces);
    }

    private FsStats imageFs(String time, RuntimeView runtime) {
        if (runtime.imageFilesystems().isEmpty()) {
            return null;
        }
        FilesystemUsage images = runtime.imageFilesystems().get(0);
        return fs(time, mountpoint(images), images.hasUsedBytes() ? images.getUsedBytes().getValue() : null,
                images.hasInodesUsed() ? images.getInodesUsed().getValue() : null);
    }

    private Path mountpoint(FilesystemUsage usage) {
        String mountpoint = usage.hasFsId() ? usage.getFsId().getMountpoint() : "";
        return mountpoint.isEmpty() ? directories.root() : Path.of(mountpoint);
    }

    /**
     * The file system holding {@code path}: its capacity and what is available, and {@code used} (or the file
     * system's own use when null). Inode counts need statvfs, which the JDK does not offer: only what the
     * runtime counted is reported.
     */
    private static FsStats fs(String time, Path path, Long used, Long inodesUsed) {
        try {
            FileStore store = Files.getFileStore(existing(path));
            long capacity = store.getTotalSpace();
            return new FsStats(time, store.getUsableSpace(), capacity,
                    used != null ? used : capacity - store.getUnallocatedSpace(), null, null, inodesUsed);
        } catch (IOException e) {
            return new FsStats(time, null, null, used, null, null, inodesUsed);
        }
    }

    private static Path existing(Path path) {
        Path candidate = path.toAbsolutePath();
        while (candidate != null && !Files.exists(candidate)) {
            candidate = candidate.getParent();
        }
        return candidate == null ? path : candidate;
    }

    /** Each directory under the pod's volume directory, as kubelet lists a pod's volumes with their use. */
    private static List<VolumeStats> volumes(String time, Path podVolumes) {
        List<VolumeStats> volumes = new ArrayList<>();
        if (!Files.isDirectory(podVolumes)) {
            return volumes;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(podVolumes, Files::isDirectory)) {
            for (Path dir : dirs) {
                FsStats fs = fs(time, dir, usedBytes(dir), null);
                volumes.add(new VolumeStats(dir.getFileName().toString(), time, fs.availableBytes(),
                        fs.capacityBytes(), fs.usedBytes()));
            }
        } catch (IOException e) {
            // the pod went away meanwhile: no volumes to report
        }
        volumes.sort(Comparator.comparing(VolumeStats::name));
        return volumes;
    }

    private Path podLogDir(PodSandbox sandbox) {
        var metadata = sandbox.getMetadata();
        return directories.podLogs().resolve(metadata.getNamespace() + "_" + metadata.getName() + "_"
                + metadata.getUid());
    }

    /** The bytes of the regular files under {@code dir} (0 when it does not exist); links are not followed. */
    static long usedBytes(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(SummaryBuilder::size).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // removed while walking: the pod or container is gone
        }
    }

    private static long size(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.size() : 0;
        } catch (IOException e) {
            return 0; // removed while walking
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String time(long epochNanos) {
        return time(Instant.ofEpochSecond(0, epochNanos));
    }
}
