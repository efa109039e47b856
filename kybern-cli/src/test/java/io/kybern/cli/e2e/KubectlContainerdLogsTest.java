package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl logs} end to end: the real kubectl (1.33 and 1.27) asks the API server, which streams the
 * log from the node agent's kubelet API, which reads the CRI log files containerd writes. Needs what
 * {@link KubectlContainerdTest} needs (root, containerd, runc, the CNI plugins, busybox-static).
 */
class KubectlContainerdLogsTest extends ContainerdServerPerClass {

    static final String NODE = "containerd-logs-node";
    static final String CLUSTER_CIDR = "10.124.0.0/16";
    static final Pattern PING_REPLY = Pattern.compile("64 bytes from 127\\.0\\.0\\.1: seq=(\\d+)");

    @BeforeAll
    static void startServerAndPods() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-logs-test-");
        // All the pods at once: they start side by side while the first tests wait for theirs.
        ok(kubectl.run("run", "pingpong", "--image", "busybox", "--", "ping", "127.0.0.1"));
        ok(kubectl.run("run", "crasher", "--image", "busybox", "--", "sh", "-c", "echo run; exit 1"));
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("two").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("a").withImage("busybox")
                .withCommand("sh", "-c", "echo from-a; sleep 3600").endContainer()
                .addNewContainer().withName("b").withImage("busybox")
                .withCommand("sh", "-c", "echo from-b; sleep 3600").endContainer()
                .withTerminationGracePeriodSeconds(0L).endSpec().build()).create();
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("initializing")
                .endMetadata().withNewSpec()
                .addNewInitContainer().withName("setup").withImage("busybox").withCommand("sleep", "3600")
                .endInitContainer()
                .addNewContainer().withName("main").withImage("busybox").withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(0L).endSpec().build()).create();
    }

    private static Kubectl.Result fails(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        return result;
    }

    /** Waits until pingpong has been replying for a few seconds. */
    private static void pingpongReplying(int replies) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .untilAsserted(() -> assertThat(PING_REPLY.matcher(ok(kubectl.run("logs", "pingpong")).stdout())
                        .results().count()).isGreaterThanOrEqualTo(replies));
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void logsShowWhatTheContainerWrote(String version) throws Exception {
        pingpongReplying(2);
        String log = ok(kubectl(version).run("logs", "pingpong")).stdout();
        assertThat(log).startsWith("PING 127.0.0.1 (127.0.0.1): 56 data bytes\n").endsWith("\n");
        List<Long> sequence = PING_REPLY.matcher(log).results().map(m -> Long.parseLong(m.group(1))).toList();
        assertThat(sequence).startsWith(0L, 1L).isSorted();
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void tailAndTimestamps(String version) throws Exception {
        pingpongReplying(3);
        Kubectl kubectl = kubectl(version);
        List<String> last = lines(ok(kubectl.run("logs", "pingpong", "--tail", "1")).stdout());
        assertThat(last).hasSize(1);
        assertThat(last.get(0)).matches(PING_REPLY.pattern() + ".*");
        assertThat(lines(ok(kubectl.run("logs", "pingpong", "--tail=2")).stdout())).hasSize(2);
        Instant before = Instant.now();
        List<String> stamped = lines(ok(kubectl.run("logs", "pingpong", "--timestamps", "--tail", "2")).stdout());
        assertThat(stamped).hasSize(2);
        for (String line : stamped) {
            int space = line.indexOf(' ');
            Instant time = Instant.parse(line.substring(0, space));
            assertThat(time).isBefore(before.plusSeconds(1)).isAfter(before.minusSeconds(30));
            assertThat(line.substring(space + 1)).matches(PING_REPLY.pattern() + ".*");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void sinceLeavesOutOlderLines(String version) throws Exception {
        pingpongReplying(6);
        Kubectl kubectl = kubectl(version);
        int all = lines(ok(kubectl.run("logs", "pingpong")).stdout()).size();
        Instant asked = Instant.now();
        List<String> recent = lines(ok(kubectl.run("logs", "pingpong", "--since=2s", "--timestamps")).stdout());
        assertThat(recent.size()).isLessThan(all).isLessThanOrEqualTo(4);
        for (String line : recent) {
            // 2 s before the request reached the server, which came after `asked`.
            assertThat(Instant.parse(line.substring(0, line.indexOf(' ')))).isAfter(asked.minusSeconds(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void followingSendsNewLinesAsTheyAreWritten(String version) throws Exception {
        pingpongReplying(2);
        Process follow = kubectl(version).start("logs", "-f", "--tail", "1", "pingpong");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    received.add(line);
                }
            } catch (IOException e) {
                // kubectl killed
            }
        });
        try {
            List<Long> sequence = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String line = received.poll(20, TimeUnit.SECONDS);
                assertThat(line).as("line %d of the followed log", i + 1).isNotNull();
                Matcher reply = PING_REPLY.matcher(line);
                assertThat(reply.find()).as(line).isTrue();
                sequence.add(Long.parseLong(reply.group(1)));
            }
            // The tail's one line, then each new reply as ping writes it (once a second).
            assertThat(sequence.get(1)).isEqualTo(sequence.get(0) + 1);
            assertThat(sequence.get(2)).isEqualTo(sequence.get(1) + 1);
            assertThat(follow.isAlive()).isTrue();
        } finally {
            follow.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            reader.join(Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void previousShowsTheLastTerminatedInstance(String version) throws Exception {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus status = pod("crasher").getStatus().getContainerStatuses().get(0);
            assertThat(status.getRestartCount()).isGreaterThanOrEqualTo(1);
            assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        });
        Kubectl kubectl = kubectl(version);
        assertThat(ok(kubectl.run("logs", "crasher", "--previous")).stdout()).isEqualTo("run\n");
        assertThat(ok(kubectl.run("logs", "crasher", "-p", "--timestamps")).stdout())
                .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z run\n");
        // Between runs the current log is the last instance's, as kubelet has it.
        assertThat(ok(kubectl.run("logs", "crasher")).stdout()).isEqualTo("run\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void containersAreChosenAsKubernetesDoes(String version) throws Exception {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("two").getStatus().getContainerStatuses()).allSatisfy(status ->
                        assertThat(status.getState().getRunning()).isNotNull()).hasSize(2));
        Kubectl kubectl = kubectl(version);
        // kubectl picks the first container itself; the API server's answer shows through a raw request.
        Kubectl.Result defaulted = ok(kubectl.run("logs", "two"));
        assertThat(defaulted.stdout()).isEqualTo("from-a\n");
        assertThat(defaulted.stderr()).contains("Defaulted container \"a\" out of: a, b");
        assertThat(fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/two/log")).stderr()).contains(
                "Error from server (BadRequest): a container name must be specified for pod two, choose one of: [a b]");
        assertThat(ok(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/two/log?container=b")).stdout())
                .isEqualTo("from-b\n");
        assertThat(ok(kubectl.run("logs", "two", "-c", "b")).stdout()).isEqualTo("from-b\n");
        assertThat(ok(kubectl.run("logs", "two", "--container=a")).stdout()).isEqualTo("from-a\n");
        assertThat(lines(ok(kubectl.run("logs", "two", "--all-containers")).stdout()))
                .containsExactlyInAnyOrder("from-a", "from-b");
        // kubectl prints a failed log stream's Status message after "error: ".
        assertThat(fails(kubectl.run("logs", "two", "-c", "c")).stderr()).contains(
                "container c is not valid for pod two");
        assertThat(fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/two/log?container=c"))
                .stderr()).contains("Error from server (BadRequest): container c is not valid for pod two");
        assertThat(fails(kubectl.run("logs", "two", "-c", "a", "--previous")).stderr()).contains(
                "previous terminated container \"a\" in pod \"two\" not found");
    }

    @Test
    void aMissingPodAndAWaitingContainerAreErrors() throws Exception {
        // kubectl reads the pod first and words the 404 itself; the subresource answers it too.
        assertThat(fails(kubectl.run("logs", "nosuch")).stderr()).contains(
                "error from server (NotFound): pods \"nosuch\" not found in namespace \"default\"");
        assertThat(fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/nosuch/log")).stderr())
                .contains("Error from server (NotFound): pods \"nosuch\" not found");
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("initializing").getStatus().getInitContainerStatuses().get(0).getState().getRunning())
                        .isNotNull());
        assertThat(fails(kubectl.run("logs", "initializing", "-c", "main")).stderr()).contains(
                "container \"main\" in pod \"initializing\" is waiting to start: "
                        + "PodInitializing");
        // The running init container has a log (empty: sleep writes nothing).
        assertThat(ok(kubectl.run("logs", "initializing", "-c", "setup")).stdout()).isEmpty();
    }

    @Test
    void theKubeletApiRefusesClientsWithoutTheClusterCertificate() throws Exception {
        Node node = client.nodes().withName(NODE).get();
        int port = node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        assertThat(port).isPositive();
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
                + "/containerLogs/default/pingpong/pingpong")).build();
        assertThatThrownBy(() -> anonymous.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }
}
