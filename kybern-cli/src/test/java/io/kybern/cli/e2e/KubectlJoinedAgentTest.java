package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.cli.TestServers;
import io.kybern.kubelet.containerd.PrivateContainerd;
import io.kybern.kubelet.containerd.TestImageImport;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node joined with {@code kybern agent --server --token --certificate-authority} to a server that runs no agent
 * of its own: its kubelet API serves with a certificate the server signed from the agent's own key, so the real
 * kubectl's {@code logs} and {@code exec} (WebSocket with 1.33, SPDY with 1.27) reach its pods through the API
 * server, {@code kubectl top} reads its summary, and a restarted agent reuses key and certificate. Needs what the
 * other containerd suites need.
 */
class KubectlJoinedAgentTest {

    private static final String NODE = "joined-streams";

    @Test
    void logsAndExecReachAJoinedNodesPodsThroughTheApiServer() throws Exception {
        PrivateContainerd.requireRuntime();
        Path dir = Files.createTempDirectory("kybern-joined-agent-");
        String bridge = PrivateContainerd.testBridge() + "s";
        Path agentDir = dir.resolve("joined-agent");
        Path serverCa = dir.resolve("server/tls/server-ca.crt");
        Thread agent = null;
        try (TestServers.Running server = TestServers.start(dir.resolve("server"));
                KubernetesClient admin = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
            assertThat(server.agent()).as("the server runs no agent of its own").isNull();
            admin.serviceAccounts().inNamespace("kube-system").resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("node-joiner").endMetadata().build()).create();
            String token = admin.serviceAccounts().inNamespace("kube-system").withName("node-joiner")
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec()
                            .build()).getStatus().getToken();
            String[] agentCommand = {"agent", "--server", admin.getConfiguration().getMasterUrl(), "--token", token,
                    "--certificate-authority", serverCa.toString(), "--data-dir", agentDir.toString(),
                    "--node-name", NODE, "--cni-bridge", bridge, "--cluster-cidr", "10.128.0.0/16",
                    "--kubelet-port", "0"};
            AtomicInteger exit = new AtomicInteger(-1);
            agent = startAgent(agentCommand, exit);
            awaitReady(admin);

            // The key was made on the node and stays there; the server signed a kubelet's certificate for it.
            Path tls = agentDir.resolve("tls");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("kubelet-serving.key"))))
                    .isEqualTo("rw-------");
            X509Certificate serving = certificate(tls.resolve("kubelet-serving.crt"));
            X509Certificate ca = certificate(serverCa);
            serving.verify(ca.getPublicKey());
            assertThat(serving.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:" + NODE
                    + ",O=system:nodes");
            String internalIp = admin.nodes().withName(NODE).get().getStatus().getAddresses().stream()
                    .filter(a -> a.getType().equals("InternalIP")).findFirst().orElseThrow().getAddress();
            assertThat(serving.getSubjectAlternativeNames()).contains(java.util.List.of(2, NODE),
                    java.util.List.of(7, internalIp));

            TestImageImport.importInto(agentDir.resolve("containerd/containerd.sock"),
                    Files.createDirectories(dir.resolve("images")));
            Kubectl kubectl = Kubectl.version("33", server.kubeconfig());
            ok(kubectl.run("run", "talker", "--image", "busybox:1.36", "--", "sh", "-c",
                    "echo hello from the joined node; exec sleep 3600"));
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                var pod = admin.pods().inNamespace("default").withName("talker").get();
                assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE);
                assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            });

            assertThat(ok(kubectl.run("logs", "talker")).stdout()).isEqualTo("hello from the joined node\n");
            Kubectl.Result exec = kubectl.run("exec", "talker", "--", "sh", "-c", "echo $((6 * 7)); exit 3");
            assertThat(exec.stdout()).as(exec.toString()).isEqualTo("42\n");
            assertThat(exec.exitCode()).as(exec.toString()).isEqualTo(3);
            Kubectl.Result spdy = ok(Kubectl.version("27", server.kubeconfig()).run("exec", "talker", "--", "hostname"));
            assertThat(spdy.stdout()).isEqualTo("talker\n");

            // The server runs no node of its own, so it serves metrics.k8s.io since the agent joined: kubectl top
            // reads the joined agent's summary through the API server.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String pods = ok(kubectl.run("top", "pod", "talker", "--no-headers")).stdout();
                assertThat(pods).matches("talker\\s+\\d+m\\s+\\d+Mi\\s*\n");
                assertThat(ok(kubectl.run("top", "node", NODE, "--no-headers")).stdout()).startsWith(NODE + " ");
            });

            // A restarted agent serves with the same key and certificate (still valid for the same names); exec
            // answers once it has published its new port (the stopped agent's is closed).
            byte[] key = Files.readAllBytes(tls.resolve("kubelet-serving.key"));
            byte[] certificate = Files.readAllBytes(tls.resolve("kubelet-serving.crt"));
            stopAgent(agent, exit);
            agent = startAgent(agentCommand, exit);
            awaitReady(admin);
            assertThat(Files.readAllBytes(tls.resolve("kubelet-serving.key"))).isEqualTo(key);
            assertThat(Files.readAllBytes(tls.resolve("kubelet-serving.crt"))).isEqualTo(certificate);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(ok(kubectl.run("exec", "talker",
                    "--", "sh", "-c", "echo still $((40 + 2))")).stdout()).isEqualTo("still 42\n"));
            assertThat(ok(kubectl.run("logs", "talker")).stdout()).isEqualTo("hello from the joined node\n");

            admin.pods().inNamespace("default").withName("talker").withGracePeriod(1).delete();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    admin.pods().inNamespace("default").withName("talker").get() == null);
            stopAgent(agent, exit);
        } finally {
            if (agent != null && agent.isAlive()) {
                PrivateContainerd.removeAllSandboxes(agentDir.resolve("containerd/containerd.sock"));
                agent.interrupt();
                agent.join(Duration.ofSeconds(30));
            }
            PrivateContainerd.cleanUp(dir, bridge);
        }
    }

    private static Thread startAgent(String[] command, AtomicInteger exit) {
        exit.set(-1);
        return Thread.ofPlatform().name("kybern-joined-agent").start(() -> exit.set(TestServers.run(command)));
    }

    private static void stopAgent(Thread agent, AtomicInteger exit) throws InterruptedException {
        agent.interrupt();
        agent.join(Duration.ofSeconds(30));
        assertThat(agent.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }

    /** Until an agent has registered its Node, ready, with its kubelet API's port (a free one, not 10250). */
    private static void awaitReady(KubernetesClient admin) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            Node node = admin.nodes().withName(NODE).get();
            assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
            assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isNotEqualTo(10250);
            assertThat(node.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
                    && c.getStatus().equals("True"));
        });
    }

    private static X509Certificate certificate(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(file)));
    }

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }
}
