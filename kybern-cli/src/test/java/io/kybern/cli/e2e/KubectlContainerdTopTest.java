package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl top} on a node run by the real agent on containerd: the API server's {@code metrics.k8s.io}
 * asks the agent's {@code /stats/summary}, whose figures come from containerd's CRI stats and the machine's
 * {@code /proc}. A busy loop shows CPU, a pod that fills a memory-backed emptyDir shows that memory, and the
 * node shows the machine's figures. Needs what {@link KubectlContainerdTest} needs.
 */
class KubectlContainerdTopTest extends ContainerdServerPerClass {

    static final String NODE = "containerd-top-node";
    static final String CLUSTER_CIDR = "10.126.0.0/16";
    /** Rates need two samples, taken 10 s apart: a minute leaves room for a loaded machine. */
    static final Duration PATIENCE = Duration.ofSeconds(90);
    static final long HELD_MIB = 64;

    @BeforeAll
    static void startServerAndPods() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-top-test-");
        ok(kubectl.run("run", "spinner", "--image", "busybox", "--", "sh", "-c", "while true; do :; done"));
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("holder")
                .addToLabels("app", "holder").endMetadata().withNewSpec()
                .addNewContainer().withName("fill").withImage("busybox")
                .withCommand("sh", "-c", "dd if=/dev/zero of=/held/fill bs=1M count=" + HELD_MIB + " && sleep 3600")
                .addNewVolumeMount().withName("held").withMountPath("/held").endVolumeMount().endContainer()
                .addNewVolume().withName("held").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                .withTerminationGracePeriodSeconds(0L).endSpec().build()).create();
        ok(kubectl.run("wait", "--for=condition=Ready", "pod/spinner", "pod/holder", "--timeout=120s"));
    }

    /** The whitespace-separated columns of a line of kubectl's table. */
    private static List<String> columns(String line) {
        return Arrays.asList(line.trim().split("\\s+"));
    }

    /** The row of {@code kubectl top pod NAME}; fails while the pod has no metrics yet. */
    private static List<String> topPod(String name) throws Exception {
        List<String> lines = ok(kubectl.run("top", "pod", name)).stdout().lines().toList();
        assertThat(columns(lines.get(0))).containsExactly("NAME", "CPU(cores)", "MEMORY(bytes)");
        return columns(lines.get(1));
    }

    @Test
    void aBusyLoopShowsCpu() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<String> row = topPod("spinner");
            assertThat(row.get(0)).isEqualTo("spinner");
            // A core's worth when the machine is idle; far less on a loaded one, but never nothing.
            assertThat(new Quantity(row.get(1)).getNumericalAmount()).isGreaterThan(new BigDecimal("0.05"));
        });
    }

    @Test
    void memoryHeldInATmpfsIsTheContainersWorkingSet() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<String> row = topPod("holder");
            assertThat(row.get(0)).isEqualTo("holder");
            assertThat(new Quantity(row.get(2)).getNumericalAmount())
                    .isGreaterThanOrEqualTo(BigDecimal.valueOf(HELD_MIB * 1024 * 1024));
        });
    }

    @Test
    void podsAreSelectedByTheirLabelsAndContainersShownApart() throws Exception {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<String> lines = ok(kubectl.run("top", "pod", "-l", "app=holder", "--containers")).stdout().lines()
                    .toList();
            assertThat(columns(lines.get(0))).containsExactly("POD", "NAME", "CPU(cores)", "MEMORY(bytes)");
            assertThat(lines).hasSize(2);
            assertThat(columns(lines.get(1))).startsWith("holder", "fill");
        });
        Kubectl.Result missing = kubectl.run("top", "pod", "no-such-pod");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("NotFound");
    }

    @Test
    void theNodeShowsTheMachinesFigures() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<String> lines = ok(kubectl.run("top", "node", NODE)).stdout().lines().toList();
            assertThat(columns(lines.get(0))).startsWith("NAME", "CPU(cores)");
            List<String> row = columns(lines.get(1));
            assertThat(row.get(0)).isEqualTo(NODE);
            // At least the spinner's CPU, and more memory than the holder's tmpfs.
            assertThat(new Quantity(row.get(1)).getNumericalAmount()).isGreaterThan(new BigDecimal("0.05"));
            assertThat(new Quantity(row.get(3)).getNumericalAmount())
                    .isGreaterThan(BigDecimal.valueOf(HELD_MIB * 1024 * 1024));
            assertThat(row.get(2)).endsWith("%");
        });
    }

    @Test
    void allNodesAreListed() throws Exception {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() ->
                assertThat(ok(kubectl.run("top", "node")).stdout().lines().skip(1).map(line -> columns(line).get(0)))
                        .containsExactly(NODE));
    }

    @Test
    void theSummaryIsOnlyForTheClustersCertificates() throws Exception {
        Node node = client.nodes().withName(NODE).get();
        int port = node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        String address = node.getStatus().getAddresses().stream().filter(a -> a.getType().equals("InternalIP"))
                .map(NodeAddress::getAddress).findFirst().orElseThrow();
        SSLContext anyServer = SSLContext.getInstance("TLS");
        anyServer.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient anonymous = HttpClient.newBuilder().sslContext(anyServer).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + address + ":" + port
                + "/stats/summary")).build();
        assertThatThrownBy(() -> anonymous.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }
}
