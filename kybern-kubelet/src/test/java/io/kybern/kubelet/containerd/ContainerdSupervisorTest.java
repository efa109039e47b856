package io.kybern.kubelet.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ContainerConfig;
import io.kybern.kubelet.cri.api.ContainerMetadata;
import io.kybern.kubelet.cri.api.ContainerState;
import io.kybern.kubelet.cri.api.ContainerStatusRequest;
import io.kybern.kubelet.cri.api.CreateContainerRequest;
import io.kybern.kubelet.cri.api.ImageSpec;
import io.kybern.kubelet.cri.api.ImageStatusRequest;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandboxConfig;
import io.kybern.kubelet.cri.api.PodSandboxMetadata;
import io.kybern.kubelet.cri.api.PodSandboxStatusRequest;
import io.kybern.kubelet.cri.api.RunPodSandboxRequest;
import io.kybern.kubelet.cri.api.StartContainerRequest;
import io.kybern.kubelet.cri.api.StatusRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real containerd under a temporary directory, driven through CRI v1 with the agent's own client. */
class ContainerdSupervisorTest {

    static Path dir;
    static String bridge;
    static ContainerdSupervisor containerd;
    static CriClient cri;

    @BeforeAll
    static void start() throws Exception {
        PrivateContainerd.requireRuntime();
        dir = Files.createTempDirectory("kybern-containerd-");
        bridge = PrivateContainerd.testBridge();
        ContainerdLayout layout = ContainerdLayout.under(dir);
        containerd = ContainerdSupervisor.start(layout);
        new CniNetwork("10.199.7.0/24", bridge).writeTo(layout.cniConfDir());
        TestImageImport.importInto(layout.socket(), dir);
        cri = CriClient.connect(layout.socket());
    }

    @AfterAll
    static void stop() throws Exception {
        if (containerd != null) {
            PrivateContainerd.removeAllSandboxes(containerd.socket());
            cri.close();
            containerd.close();
        }
        if (dir != null) {
            PrivateContainerd.cleanUp(dir, bridge);
        }
    }

    @Test
    void answersCriVersionAndStatus() {
        var version = cri.version(Duration.ofSeconds(5));
        assertThat(version.getRuntimeName()).isEqualTo("containerd");
        assertThat(version.getRuntimeApiVersion()).isEqualTo("v1");
        var conditions = cri.runtime().status(StatusRequest.getDefaultInstance()).getStatus().getConditionsList();
        assertThat(conditions).anyMatch(c -> c.getType().equals("RuntimeReady") && c.getStatus());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cri.runtime()
                .status(StatusRequest.getDefaultInstance()).getStatus().getConditionsList())
                .anyMatch(c -> c.getType().equals("NetworkReady") && c.getStatus()));
    }

    @Test
    void runsAContainerInASandboxWithAnAddressFromThePodCidr() {
        String uid = UUID.randomUUID().toString();
        PodSandboxConfig sandboxConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("smoke").setNamespace("default").setUid(uid))
                .setHostname("smoke").setLogDirectory(dir.resolve("logs/" + uid).toString())
                .putLabels("io.kubernetes.pod.uid", uid).build();
        String sandbox = cri.runtime(Duration.ofMinutes(2)).runPodSandbox(RunPodSandboxRequest.newBuilder()
                .setConfig(sandboxConfig).build()).getPodSandboxId();
        String ip = cri.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandbox)
                .build()).getStatus().getNetwork().getIp();
        assertThat(ip).startsWith("10.199.7.");

        String image = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage("busybox")).build()).getImage().getId();
        assertThat(image).startsWith("sha256:");
        String container = cri.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(sandbox)
                .setSandboxConfig(sandboxConfig).setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName("main"))
                        .setImage(ImageSpec.newBuilder().setImage(image))
                        .addCommand("sh").addArgs("-c").addArgs("exit 3")
                        .setLogPath("main/0.log")).build()).getContainerId();
        cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(container).build());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var status = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(container)
                    .build()).getStatus();
            assertThat(status.getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
            assertThat(status.getExitCode()).isEqualTo(3);
            assertThat(status.getReason()).isEqualTo("Error");
        });
        assertThat(cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList())
                .anyMatch(s -> s.getId().equals(sandbox));
    }

    @Test
    void startsContainerdAgainWhenItDies() {
        long first = containerd.pid();
        int restartsBefore = containerd.restarts();
        assertThat(first).isPositive();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(containerd.restarts()).isEqualTo(restartsBefore + 1);
            assertThat(containerd.pid()).isPositive().isNotEqualTo(first);
            assertThat(cri.version(Duration.ofSeconds(2)).getRuntimeName()).isEqualTo("containerd");
        });
    }
}
