package io.kybern.bench;

import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ContainerConfig;
import io.kybern.kubelet.cri.api.ContainerMetadata;
import io.kybern.kubelet.cri.api.CreateContainerRequest;
import io.kybern.kubelet.cri.api.ImageSpec;
import io.kybern.kubelet.cri.api.LinuxContainerConfig;
import io.kybern.kubelet.cri.api.LinuxContainerResources;
import io.kybern.kubelet.cri.api.LinuxPodSandboxConfig;
import io.kybern.kubelet.cri.api.LinuxSandboxSecurityContext;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.NamespaceMode;
import io.kybern.kubelet.cri.api.NamespaceOption;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxConfig;
import io.kybern.kubelet.cri.api.PodSandboxMetadata;
import io.kybern.kubelet.cri.api.RemovePodSandboxRequest;
import io.kybern.kubelet.cri.api.RunPodSandboxRequest;
import io.kybern.kubelet.cri.api.StartContainerRequest;
import io.kybern.kubelet.cri.api.StopPodSandboxRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The second peer of the pod startup benchmark: the same pods started by calling the agent's containerd through
 * CRI directly, as a kubelet with nothing else to do would: RunPodSandbox (pause container, network namespace,
 * CNI), CreateContainer, StartContainer, all pods at once. No API server, scheduler or agent in the way: what
 * containerd itself needs for a pod, the floor under any node agent's figure. The sandboxes carry no pod UID
 * label, so the running agent neither adopts nor removes them.
 */
final class CriDirect {

    /** The sandboxes' namespace (in their metadata only), telling them apart from the agent's pods. */
    static final String NAMESPACE = "kybern-bench-cri";

    private final Path socket;
    private final String image;
    private final Path logDir;

    CriDirect(Path socket, String image, Path logDir) {
        this.socket = socket;
        this.image = image;
        this.logDir = logDir;
    }

    /** Starts {@code names} at once; returns each one's time from RunPodSandbox to StartContainer's answer. */
    List<Long> startAll(List<String> names) throws Exception {
        try (CriClient cri = CriClient.connect(socket)) {
            return AtOnce.timeEach(names, name -> start(cri, name));
        }
    }

    private void start(CriClient cri, String name) {
        // As the agent's sandboxes of an ordinary pod: pod network and IPC, a PID namespace per container.
        PodSandboxConfig sandbox = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace(NAMESPACE)
                        .setUid(UUID.randomUUID().toString()))
                .setHostname(name)
                .setLogDirectory(logDir.resolve(name).toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext
                        .newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                                .setNetwork(NamespaceMode.POD).setPid(NamespaceMode.CONTAINER)
                                .setIpc(NamespaceMode.POD))))
                .build();
        String sandboxId = cri.runtime(Duration.ofMinutes(2)).runPodSandbox(RunPodSandboxRequest.newBuilder()
                .setConfig(sandbox).build()).getPodSandboxId();
        // A BestEffort container's resources, as the agent gives them: minimal CPU shares, the OOM killer's
        // first choice.
        ContainerConfig container = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("sleep"))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .addCommand("sleep").addArgs("3600")
                .setLogPath("sleep/0.log")
                .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder()
                        .setCpuShares(2).setOomScoreAdj(1000)))
                .build();
        String containerId = cri.runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(sandboxId).setSandboxConfig(sandbox).setConfig(container).build()).getContainerId();
        cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
    }

    /** Stops and removes this peer's sandboxes (their containers go with them), whatever the agent has. */
    void removeAll() throws InterruptedException {
        try (CriClient cri = CriClient.connect(socket)) {
            for (PodSandbox sandbox : cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                    .getItemsList()) {
                if (sandbox.getMetadata().getNamespace().equals(NAMESPACE)) {
                    cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandbox.getId())
                            .build());
                    cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                            .setPodSandboxId(sandbox.getId()).build());
                }
            }
        }
    }
}
