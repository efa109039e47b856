package io.kybern.kubelet.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.kubelet.cri.api.Container;
import io.kybern.kubelet.cri.api.ContainerAttributes;
import io.kybern.kubelet.cri.api.ContainerMetadata;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStats;
import io.kybern.kubelet.cri.api.CpuUsage;
import io.kybern.kubelet.cri.api.FilesystemIdentifier;
import io.kybern.kubelet.cri.api.FilesystemUsage;
import io.kybern.kubelet.cri.api.MemoryUsage;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxMetadata;
import io.kybern.kubelet.cri.api.PodSandboxState;
import io.kybern.kubelet.cri.api.UInt64Value;
import io.kybern.kubelet.stats.Summary.PodStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SummaryBuilderTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

    @TempDir
    Path dir;
    private SummaryBuilder builder;
    private Path logs;
    private Path volumes;

    @BeforeEach
    void setUp() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        HostReadingsTest.writeProc(proc);
        logs = Files.createDirectories(dir.resolve("pods"));
        volumes = Files.createDirectories(dir.resolve("volumes"));
        builder = new SummaryBuilder("node-1", new HostReadings(proc),
                new SummaryBuilder.Directories(dir, logs, volumes));
    }

    private static PodSandbox sandbox(String id, String name, String uid) {
        return PodSandbox.newBuilder().setId(id).setState(PodSandboxState.SANDBOX_READY)
                .setCreatedAt(T0.getEpochSecond() * SECOND)
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .putLabels(SummaryBuilder.POD_NAME, name).putLabels(SummaryBuilder.POD_NAMESPACE, "default")
                .putLabels(SummaryBuilder.POD_UID, uid).build();
    }

    private static Container container(String id, String sandbox, String name) {
        return Container.newBuilder().setId(id).setPodSandboxId(sandbox).setState(ContainerState.CONTAINER_RUNNING)
                .setCreatedAt((T0.getEpochSecond() + 1) * SECOND)
                .setMetadata(ContainerMetadata.newBuilder().setName(name)).build();
    }

    private ContainerStats stats(String id, Instant at, long cpuNanos, long workingSet) {
        long nanos = at.getEpochSecond() * SECOND + at.getNano();
        return ContainerStats.newBuilder().setAttributes(ContainerAttributes.newBuilder().setId(id))
                .setCpu(CpuUsage.newBuilder().setTimestamp(nanos).setUsageCoreNanoSeconds(u(cpuNanos)))
                .setMemory(MemoryUsage.newBuilder().setTimestamp(nanos).setWorkingSetBytes(u(workingSet))
                        .setUsageBytes(u(workingSet + 4096)))
                .setWritableLayer(FilesystemUsage.newBuilder().setFsId(FilesystemIdentifier.newBuilder()
                        .setMountpoint(dir.toString())).setUsedBytes(u(8192)).setInodesUsed(u(3)))
                .build();
    }

    private static UInt64Value u(long value) {
        return UInt64Value.newBuilder().setValue(value).build();
    }

    private SummaryBuilder.RuntimeView view(Instant at, long webCpu, long sidecarCpu) {
        return new SummaryBuilder.RuntimeView(List.of(sandbox("s1", "web", "uid-1")),
                List.of(container("c1", "s1", "web"), container("c2", "s1", "sidecar")),
                List.of(stats("c1", at, webCpu, 10 * 1024 * 1024), stats("c2", at, sidecarCpu, 2 * 1024 * 1024)),
                List.of(FilesystemUsage.newBuilder().setFsId(FilesystemIdentifier.newBuilder()
                        .setMountpoint(dir.toString())).setUsedBytes(u(1_000_000)).build()));
    }

    @Test
    void ratesAppearWithTheSecondSampleAndPodsSumTheirContainers() throws Exception {
        Summary first = builder.build(T0, view(T0, SECOND, 0));
        PodStats pod = first.pods().get(0);
        assertThat(pod.containers()).extracting(Summary.ContainerStats::name).containsExactly("sidecar", "web");
        assertThat(pod.containers().get(1).cpu().usageNanoCores()).isNull();
        assertThat(pod.containers().get(1).cpu().usageCoreNanoSeconds()).isEqualTo(SECOND);
        assertThat(pod.cpu().usageNanoCores()).isNull();
        assertThat(first.node().cpu().usageNanoCores()).isNull();

        Instant later = T0.plusSeconds(10);
        Summary second = builder.build(later, view(later, 6 * SECOND, SECOND));
        pod = second.pods().get(0);
        // web spent 5 s of CPU in 10 s, sidecar 1 s
        assertThat(pod.containers().get(1).cpu().usageNanoCores()).isEqualTo(500_000_000L);
        assertThat(pod.containers().get(0).cpu().usageNanoCores()).isEqualTo(100_000_000L);
        assertThat(pod.cpu().usageNanoCores()).isEqualTo(600_000_000L);
        assertThat(pod.cpu().usageCoreNanoSeconds()).isEqualTo(7 * SECOND);
        assertThat(pod.memory().workingSetBytes()).isEqualTo(12 * 1024 * 1024L);
        assertThat(pod.memory().usageBytes()).isEqualTo(12 * 1024 * 1024L + 2 * 4096);
        assertThat(pod.memory().rssBytes()).isNull();
        assertThat(second.node().cpu().usageNanoCores()).isNotNull(); // the same /proc twice: zero
        assertThat(second.node().cpu().usageNanoCores()).isZero();
    }

    @Test
    void theNodeCarriesTheMachinesFigures() throws Exception {
        Summary summary = builder.build(T0, view(T0, 0, 0));
        Summary.NodeStats node = summary.node();
        assertThat(node.nodeName()).isEqualTo("node-1");
        assertThat(node.startTime()).isEqualTo(Instant.ofEpochSecond(1796000000L).toString());
        assertThat(node.memory().workingSetBytes()).isEqualTo(4500000L * 1024);
        assertThat(node.memory().availableBytes()).isEqualTo(3500000L * 1024);
        assertThat(node.network().name()).isEqualTo("eth0");
        assertThat(node.network().rxBytes()).isEqualTo(123456L);
        assertThat(node.network().interfaces()).hasSize(2);
        assertThat(node.fs().capacityBytes()).isPositive();
        assertThat(node.runtime().imageFs().usedBytes()).isEqualTo(1_000_000L);
        assertThat(node.rlimit().maxpid()).isEqualTo(4194304L);
        assertThat(node.rlimit().curproc()).isEqualTo(345L);
    }

    @Test
    void logsVolumesAndWritableLayersMakeTheEphemeralStorage() throws Exception {
        Path webLogs = Files.createDirectories(logs.resolve("default_web_uid-1/web"));
        Files.write(webLogs.resolve("0.log"), new byte[1000]);
        Files.write(webLogs.resolve("1.log"), new byte[500]);
        Path cache = Files.createDirectories(volumes.resolve("uid-1/cache"));
        Files.write(cache.resolve("data"), new byte[3000]);
        Files.createDirectories(volumes.resolve("uid-1/config"));

        PodStats pod = builder.build(T0, view(T0, 0, 0)).pods().get(0);
        Summary.ContainerStats web = pod.containers().get(1);
        assertThat(web.logs().usedBytes()).isEqualTo(1500L);
        assertThat(web.rootfs().usedBytes()).isEqualTo(8192L);
        assertThat(web.rootfs().inodesUsed()).isEqualTo(3L);
        assertThat(web.startTime()).isEqualTo(T0.plusSeconds(1).toString());
        assertThat(pod.containers().get(0).logs().usedBytes()).isZero();
        assertThat(pod.volume()).extracting(Summary.VolumeStats::name).containsExactly("cache", "config");
        assertThat(pod.volume().get(0).usedBytes()).isEqualTo(3000L);
        assertThat(pod.ephemeralStorage().usedBytes()).isEqualTo(1500L + 2 * 8192 + 3000);
        assertThat(pod.podRef()).isEqualTo(new Summary.PodReference("web", "default", "uid-1"));
        assertThat(pod.startTime()).isEqualTo(T0.toString());
    }

    @Test
    void aContainerWithoutStatsHasNoFiguresAndItsPodNoSums() throws Exception {
        var view = new SummaryBuilder.RuntimeView(List.of(sandbox("s1", "web", "uid-1"), sandbox("s2", "idle", "uid-2")),
                List.of(container("c1", "s1", "web")), List.of(), List.of());
        Summary summary = builder.build(T0, view);
        assertThat(summary.pods()).hasSize(2);
        PodStats web = summary.pods().get(0);
        assertThat(web.containers().get(0).cpu()).isNull();
        assertThat(web.cpu()).isNull();
        assertThat(web.memory()).isNull();
        assertThat(summary.pods().get(1).containers()).isEmpty();
        assertThat(summary.node().runtime().imageFs()).isNull();
    }

    @Test
    void theJsonHasKubeletsFieldNamesAndLeavesUnknownFiguresOut() throws Exception {
        builder.build(T0, view(T0, 0, 0));
        Summary summary = builder.build(T0.plusSeconds(10), view(T0.plusSeconds(10), SECOND, 0));
        JsonNode json = JsonMapper.builder().build().valueToTree(summary);
        assertThat(json.path("node").path("cpu").has("usageNanoCores")).isTrue();
        assertThat(json.path("node").path("memory").has("workingSetBytes")).isTrue();
        JsonNode pod = json.path("pods").get(0);
        assertThat(pod.path("podRef").path("name").asString()).isEqualTo("web");
        assertThat(pod.has("ephemeral-storage")).isTrue();
        assertThat(pod.has("network")).isFalse();
        JsonNode memory = pod.path("containers").get(0).path("memory");
        assertThat(memory.has("rssBytes")).isFalse();
        assertThat(memory.path("workingSetBytes").asLong()).isEqualTo(2 * 1024 * 1024L);

        JsonNode only = JsonMapper.builder().build().valueToTree(summary.onlyCpuAndMemory());
        assertThat(only.path("node").has("fs")).isFalse();
        assertThat(only.path("pods").get(0).has("ephemeral-storage")).isFalse();
        assertThat(only.path("pods").get(0).path("containers").get(0).has("logs")).isFalse();
        assertThat(only.path("pods").get(0).path("containers").get(0).path("cpu").path("usageNanoCores").asLong())
                .isZero();
        assertThat(only.path("pods").get(0).path("containers").get(1).path("cpu").path("usageNanoCores").asLong())
                .isEqualTo(100_000_000L);
    }
}
