package io.kybern.kubelet.stats;

import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ContainerFilter;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStateValue;
import io.kybern.kubelet.cri.api.ImageFsInfoRequest;
import io.kybern.kubelet.cri.api.ListContainerStatsRequest;
import io.kybern.kubelet.cri.api.ListContainersRequest;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandboxFilter;
import io.kybern.kubelet.cri.api.PodSandboxState;
import io.kybern.kubelet.cri.api.PodSandboxStateValue;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Summary when asked: one round of CRI calls (ready sandboxes, running containers, their stats, the
 * image file system) and the machine's {@code /proc}. A sampler takes a round every {@link #SAMPLE_INTERVAL}
 * as kubelet's housekeeping does, so that CPU rates exist by the first request and are averaged over at most
 * that interval.
 *
 * <p>Threading: {@link #summary()} may be called from any thread, concurrently with the sampler.
 */
public final class NodeStatsProvider implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeStatsProvider.class);
    /** Kubelet's housekeeping interval: how old the CPU sample behind a rate may be. */
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final CriClient cri;
    private final SummaryBuilder builder;
    private final InstantSource clock;
    private final Thread sampler;

    /**
     * @param proc          the machine's {@code /proc}
     * @param root          the agent's data directory (the node's file system)
     * @param podLogs       the pods' log directories
     * @param volumes       the pods' volume directories (one per pod UID)
     */
    public NodeStatsProvider(String nodeName, CriClient cri, Path proc, Path root, Path podLogs, Path volumes,
            InstantSource clock) {
        this.cri = cri;
        this.clock = clock;
        this.builder = new SummaryBuilder(nodeName, new HostReadings(proc),
                new SummaryBuilder.Directories(root, podLogs, volumes));
        this.sampler = Thread.ofVirtual().name("stats-sampler").unstarted(this::sample);
    }

    /** Starts sampling in the background. */
    public NodeStatsProvider start() {
        sampler.start();
        return this;
    }

    public Summary summary() throws IOException {
        var sandboxes = cri.runtime(CALL_TIMEOUT).listPodSandbox(ListPodSandboxRequest.newBuilder()
                .setFilter(PodSandboxFilter.newBuilder().setState(PodSandboxStateValue.newBuilder()
                        .setState(PodSandboxState.SANDBOX_READY))).build()).getItemsList();
        var containers = cri.runtime(CALL_TIMEOUT).listContainers(ListContainersRequest.newBuilder()
                .setFilter(ContainerFilter.newBuilder().setState(ContainerStateValue.newBuilder()
                        .setState(ContainerState.CONTAINER_RUNNING))).build()).getContainersList();
        var stats = cri.runtime(CALL_TIMEOUT).listContainerStats(ListContainerStatsRequest.getDefaultInstance())
                .getStatsList();
        var imageFs = cri.images(CALL_TIMEOUT).imageFsInfo(ImageFsInfoRequest.getDefaultInstance())
                .getImageFilesystemsList();
        return builder.build(clock.instant(), new SummaryBuilder.RuntimeView(sandboxes, containers, stats, imageFs));
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                summary();
            } catch (IOException | StatusRuntimeException e) {
                log.debug("stats sample failed: {}", e.getMessage());
            }
            try {
                Thread.sleep(SAMPLE_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
