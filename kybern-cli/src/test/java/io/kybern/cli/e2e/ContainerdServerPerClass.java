package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.cli.TestServers;
import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.containerd.PrivateContainerd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * A {@code kybern server} of its own for each end-to-end test class that runs pods in real
 * containers: its node agent runs a private containerd under a temporary directory, with a test bridge of its
 * own. A subclass starts it from its {@code @BeforeAll} with {@link #startServerWithAgent}, giving a node name
 * and cluster CIDR no other class uses, so the classes never share addresses. It needs root with containerd,
 * runc, the CNI plugins and busybox-static installed: without them it fails and says what to install.
 */
abstract class ContainerdServerPerClass {

    static Path dir;
    static String bridge;
    static AgentConfig agentConfig;
    static TestServers.Running server;
    static KubernetesClient client;
    /** The real kubectl 1.33, pointed at the server with the admin kubeconfig. */
    static Kubectl kubectl;
    /** An agent a test started in place of the server's (it still runs the same containerd), if any. */
    static NodeAgent replacement;

    static void startServerWithAgent(String node, String clusterCidr, String dirPrefix) throws Exception {
        PrivateContainerd.requireRuntime();
        dir = Files.createTempDirectory(dirPrefix);
        bridge = PrivateContainerd.testBridge();
        agentConfig = new AgentConfig(node, dir.resolve("agent"), null, clusterCidr, bridge, null, null);
        // busybox and the pause image come from the server's registry, containerd's docker.io mirror.
        server = TestServers.startWithAgent(dir, agentConfig);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
        kubectl = kubectl("33");
    }

    @AfterAll
    static void stopAndCleanUp() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
        // Each step runs whatever the one before threw: a containerd, its shims or the bridge left behind would
        // break the next classes (a second route to the same pod CIDR).
        try {
            if (server != null) {
                // The sandboxes go while containerd still runs (under the replacement agent if there is one).
                NodeAgent running = replacement != null ? replacement : server.agent();
                Path socket = running == null ? null : running.runtimeSocket();
                if (socket != null) {
                    PrivateContainerd.removeAllSandboxes(socket);
                }
            }
        } finally {
            try {
                if (replacement != null) {
                    replacement.close();
                    replacement = null;
                }
                if (server != null) {
                    server.close();
                    server = null;
                }
            } finally {
                if (dir != null) {
                    PrivateContainerd.cleanUp(dir, bridge);
                    dir = null;
                }
            }
        }
    }

    static Kubectl kubectl(String minor) {
        return Kubectl.version(minor, server.kubeconfig());
    }

    static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    static Pod pod(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    /** The status of the pod's first container. */
    static ContainerStatus status(String name) {
        Pod pod = pod(name);
        assertThat(pod.getStatus().getContainerStatuses()).as("container statuses of %s", name).isNotEmpty();
        return pod.getStatus().getContainerStatuses().get(0);
    }

    /** The status ("True", "False") of the pod's condition of that type, or null when it has none. */
    static String condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
                .map(PodCondition::getStatus).findFirst().orElse(null);
    }
}
