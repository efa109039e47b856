package io.kybern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.kubelet.containerd.TestImageImport;
import io.kybern.kubelet.containerd.PrivateContainerd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code kybern agent --server URL --token TOKEN} joins a server that runs no agent, with a service
 * account's token, and runs a pod in a real container (it needs what {@code KubectlContainerdTest} needs).
 */
class AgentCommandTest {

    @Test
    void anAgentWhoseTokenTheServerRejectsGetsNoCertificateAndStartsNothing() throws Exception {
        Path dir = Files.createTempDirectory("kybern-agent-command-");
        Path agentDir = dir.resolve("rejected-agent");
        try (TestServers.Running server = TestServers.start(dir.resolve("server"))) {
            StringWriter err = new StringWriter();
            int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute("agent", "--server",
                    "https://127.0.0.1:" + server.server().apiAddress().getPort(), "--token", "not-a-token",
                    "--certificate-authority", dir.resolve("server/tls/server-ca.crt").toString(),
                    "--data-dir", agentDir.toString(), "--node-name", "rejected-node");

            assertThat(exit).isNotZero();
            assertThat(err.toString()).contains(
                    "the server refused the kubelet serving certificate (401 Unauthorized): Unauthorized");
            // The key was made and stays; no certificate was stored, and no containerd was started.
            assertThat(agentDir.resolve("tls/kubelet-serving.key")).exists();
            assertThat(agentDir.resolve("tls/kubelet-serving.crt")).doesNotExist();
            assertThat(agentDir.resolve("containerd")).doesNotExist();
        } finally {
            PrivateContainerd.cleanUp(dir, null);
        }
    }

    @Test
    void anAgentJoinsWithAServiceAccountTokenAndRunsAPod() throws Exception {
        PrivateContainerd.requireRuntime();
        Path dir = Files.createTempDirectory("kybern-agent-command-");
        String bridge = PrivateContainerd.testBridge() + "j";
        Path agentDir = dir.resolve("joined-agent");
        Thread agentThread = null;
        try (TestServers.Running server = TestServers.start(dir.resolve("server"));
                KubernetesClient admin = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
            admin.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("node-agent").endMetadata().build()).create();
            String token = admin.serviceAccounts().inNamespace("default").withName("node-agent")
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec()
                            .build()).getStatus().getToken();
            AtomicInteger exit = new AtomicInteger(-1);
            agentThread = Thread.ofPlatform().name("kybern-agent-command").start(() -> exit.set(TestServers.run(
                    "agent", "--server", admin.getConfiguration().getMasterUrl(), "--token", token,
                    "--certificate-authority", dir.resolve("server/tls/server-ca.crt").toString(),
                    "--data-dir", agentDir.toString(), "--node-name", "joined-node", "--cni-bridge", bridge,
                    "--cluster-cidr", "10.124.0.0/16", "--kubelet-port", "0")));

            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                Node node = admin.nodes().withName("joined-node").get();
                assertThat(node.getSpec().getPodCIDR()).isEqualTo("10.124.0.0/24");
                assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
                assertThat(node.getMetadata().getManagedFields()).anyMatch(f -> f.getManager().equals("kubelet"));
            });
            Path socket = agentDir.resolve("containerd/containerd.sock");
            TestImageImport.importInto(socket, Files.createDirectories(dir.resolve("images")));
            admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("joined")
                    .endMetadata().withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36")
                    .withCommand("sleep", "3600").endContainer().endSpec().build()).create();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                var pod = admin.pods().inNamespace("default").withName("joined").get();
                assertThat(pod.getSpec().getNodeName()).isEqualTo("joined-node");
                assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                assertThat(pod.getStatus().getPodIP()).startsWith("10.124.0.");
            });
            admin.pods().inNamespace("default").withName("joined").withGracePeriod(1).delete();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    admin.pods().inNamespace("default").withName("joined").get() == null);

            agentThread.interrupt();
            agentThread.join(Duration.ofSeconds(30));
            assertThat(agentThread.isAlive()).isFalse();
            assertThat(exit.get()).isZero();
        } finally {
            if (agentThread != null && agentThread.isAlive()) {
                PrivateContainerd.removeAllSandboxes(agentDir.resolve("containerd/containerd.sock"));
                agentThread.interrupt();
                agentThread.join(Duration.ofSeconds(30));
            }
            PrivateContainerd.cleanUp(dir, bridge);
        }
    }
}
