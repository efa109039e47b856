package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl exec}, {@code attach}, {@code cp} and {@code port-forward} end to end: the real kubectl (1.33,
 * which tries WebSocket first, and 1.27, which speaks SPDY only) through the API server and the node agent's
 * kubelet API to containerd's streaming server. Needs what {@link KubectlContainerdTest} needs.
 */
class KubectlContainerdStreamingTest extends ContainerdServerPerClass {

    static final String NODE = "containerd-streaming-node";
    static final String CLUSTER_CIDR = "10.127.0.0/16";
    static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");

    @BeforeAll
    static void startServerAndPods() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-streaming-test-");
        ok(kubectl.run("run", "sleeper", "--image", "busybox", "--", "sleep", "3600"));
        ok(kubectl.run("run", "web", "--image", "busybox", "--", "sh", "-c",
                "mkdir -p /www && echo hello from httpd > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www"));
        ok(kubectl.run("expose", "pod", "web", "--port", "80", "--target-port", "8080"));
        ok(kubectl.run("create", "service", "clusterip", "nobody", "--tcp", "80:8080"));
        for (String version : List.of("33", "27")) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata()
                    .withName("reader-" + version).endMetadata().withNewSpec().addNewContainer().withName("reader")
                    .withImage("busybox").withStdin(true)
                    // The pause after the answer: containerd's attach may drop what a container writes in the
                    // moment before it exits, which is not what this test is about.
                    .withCommand("sh", "-c", "read line; echo got $line; sleep 2")
                    .endContainer().withRestartPolicy("Never").withTerminationGracePeriodSeconds(0L).endSpec()
                    .build()).create();
        }
        // One container done (and not restarted: OnFailure), the other running: the pod is Running.
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("half-done")
                .endMetadata().withNewSpec()
                .addNewContainer().withName("done").withImage("busybox").withCommand("true").endContainer()
                .addNewContainer().withName("running").withImage("busybox").withCommand("sleep", "3600")
                .endContainer().withRestartPolicy("OnFailure").withTerminationGracePeriodSeconds(0L).endSpec()
                .build()).create();
        // Never scheduled: no node has that label.
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("unplaced")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .withNodeSelector(java.util.Map.of("no-such-label", "x")).endSpec().build()).create();
        for (String name : List.of("sleeper", "web", "reader-33", "reader-27")) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> status(name).getState().getRunning() != null);
        }
    }

    /**
     * The arguments, with client-go's -v=4 for kubectl 1.33, at which it says when it falls back from WebSocket to
     * SPDY: the tests then check that it did not (the API server translates).
     */
    private static String[] watchingFallback(String version, String... args) {
        if (!version.equals("33")) {
            return args;
        }
        String[] verbose = new String[args.length + 1];
        verbose[0] = "-v=4";
        System.arraycopy(args, 0, verbose, 1, args.length);
        return verbose;
    }

    /**
     * The pods go before the fixture removes the sandboxes: otherwise the agent, still running, starts them again
     * in between and their shims outlive the test.
     */
    @AfterAll
    static void deletePods() {
        if (client == null) {
            return;
        }
        client.pods().inNamespace("default").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> client.pods().inNamespace("default").list().getItems().isEmpty());
    }

    private static Kubectl.Result fails(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        return result;
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void execKeepsStdoutAndStderrApart(String version) throws Exception {
        Kubectl.Result result = ok(kubectl(version).run("exec", "sleeper", "--", "sh", "-c",
                "echo to-out; echo to-err >&2; echo \"$0 $#\" words"));
        assertThat(result.stdout()).isEqualTo("to-out\nsh 0 words\n");
        assertThat(result.stderr()).contains("to-err\n").doesNotContain("to-out");
    }

    @Test
    void newKubectlExecsOverWebSocketV5WithoutFallingBack() throws Exception {
        // -v=4 has client-go name the sub-protocol it agreed on, and say so if it fell back to SPDY.
        Kubectl.Result result = ok(kubectl("33").runWithInput("to stdin\n", "-v=4", "exec", "-i", "sleeper", "--",
                "sh", "-c", "cat; echo to-err >&2; exit 0"));
        assertThat(result.stderr()).contains("The subprotocol is v5.channel.k8s.io").doesNotContain("fallback");
        assertThat(result.stdout()).isEqualTo("to stdin\n");
        assertThat(result.stderr()).contains("to-err\n");
    }

    @Test
    void fabric8ExecsOverWebSocketV4() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace("default").withName("sleeper").writingOutput(out)
                .writingError(err).exec("sh", "-c", "echo from fabric8; echo oops >&2; exit 4")) {
            assertThat(watch.exitCode().get(30, TimeUnit.SECONDS)).isEqualTo(4);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from fabric8\n");
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void execExitsWithTheCommandsExitCode(String version) throws Exception {
        assertThat(kubectl(version).run("exec", "sleeper", "--", "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
        assertThat(kubectl(version).run("exec", "sleeper", "--", "false").exitCode()).isEqualTo(1);
        // No such program: the runtime cannot start it, which kubectl reports as a failure.
        fails(kubectl(version).run("exec", "sleeper", "--", "no-such-program"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void execPassesStdin(String version) throws Exception {
        Kubectl.Result result = ok(kubectl(version).runWithInput("line one\nline two\n", "exec", "-i", "sleeper",
                "--", "sh", "-c", "wc -l; echo done"));
        assertThat(result.stdout()).isEqualTo("2\ndone\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void execWithTerminalSeesATtyOfTheClientsSize(String version) throws Exception {
        // script(1) gives kubectl a terminal of 37 rows and 111 columns; kubectl sends that size on the
        // resize stream, and the shell in the container reads it from its own terminal (once it has arrived:
        // the size travels beside the process's start, not before it).
        String command = "stty rows 37 cols 111; " + kubectl(version).binary() + " --kubeconfig "
                + server.kubeconfig() + (version.equals("33") ? " -v=4" : "") + " exec -it sleeper -- sh -c 'test -t 0 && echo is-a-tty; sleep 1; stty size'";
        Process script = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start();
        // script's input stays open while the command runs: its end would end the terminal session early.
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
        script.getOutputStream().close();
        assertThat(script.exitValue()).as(output).isZero();
        // A terminal ends lines with CR LF.
        assertThat(output).contains("is-a-tty\r\n").contains("37 111\r\n").doesNotContain("fallback");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void copyIntoAndOutOfAContainer(String version) throws Exception {
        Path local = Files.createTempFile(dir, "cp-in", ".txt");
        String content = "copied by kubectl " + version + "\n" + "x".repeat(100_000) + "\n";
        Files.writeString(local, content);
        String remote = "/tmp/in-" + version + ".txt";
        Kubectl.Result in = ok(kubectl(version).run(watchingFallback(version, "cp", local.toString(),
                "default/sleeper:" + remote)));
        assertThat(in.stderr()).doesNotContain("fallback");
        assertThat(ok(kubectl(version).run("exec", "sleeper", "--", "cat", remote)).stdout()).isEqualTo(content);

        ok(kubectl(version).run("exec", "sleeper", "--", "sh", "-c",
                "echo made in the container > /tmp/out-" + version + ".txt"));
        Path copied = dir.resolve("cp-out-" + version + ".txt");
        Kubectl.Result out = ok(kubectl(version).run(watchingFallback(version, "cp",
                "default/sleeper:/tmp/out-" + version + ".txt", copied.toString())));
        assertThat(out.stderr()).doesNotContain("fallback");
        assertThat(Files.readString(copied)).isEqualTo("made in the container\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void portForwardReachesTheContainersServer(String version) throws Exception {
        Process forward = kubectl(version).start(watchingFallback(version, "port-forward", "pod/web", ":8080"));
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(forward.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder before = new StringBuilder();
            Matcher forwarding = null;
            for (String line; forwarding == null && (line = lines.readLine()) != null; ) {
                Matcher matcher = FORWARDING.matcher(line);
                if (matcher.find()) {
                    forwarding = matcher;
                } else {
                    before.append(line).append('\n');
                }
            }
            assertThat(forwarding).as("kubectl port-forward's output:\n%s", before).isNotNull();
            String url = "http://127.0.0.1:" + forwarding.group(1) + "/";
            for (int i = 0; i < 2; i++) {
                // Two requests: each connection is a stream pair of its own on the one tunnel.
                Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", url).redirectErrorStream(true)
                        .start();
                String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(answer).isEqualTo("hello from httpd\n");
            }
            // Through its handle: Process.destroy would also close the output still to be read.
            forward.toHandle().destroy();
            String rest = new String(forward.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(before + rest).doesNotContain("fallback");
        } finally {
            forward.destroy();
            forward.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void attachSendsInputToTheMainProcessAndShowsItsOutput(String version) throws Exception {
        // kubectl's input stays open: at its end kubectl (as with Kubernetes) would detach at once.
        Process attach = kubectl(version).start("attach", "-i", "reader-" + version);
        try {
            attach.getOutputStream().write(("hello " + version + "\n").getBytes(StandardCharsets.UTF_8));
            attach.getOutputStream().flush();
            String output = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(attach.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(output).contains("got hello " + version + "\n");
            assertThat(attach.exitValue()).as(output).isZero();
        } finally {
            attach.destroy();
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("reader-" + version).getState().getTerminated().getExitCode()).isZero());
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void unknownContainerIsRefused(String version) throws Exception {
        Kubectl.Result result = fails(kubectl(version).run("exec", "sleeper", "-c", "nope", "--", "true"));
        assertThat(result.stderr()).contains("container nope is not valid for pod sleeper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void containerThatIsNotRunningIsNotFound(String version) throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> pod("half-done").getStatus().getContainerStatuses().stream()
                        .anyMatch(s -> s.getName().equals("done") && s.getState().getTerminated() != null));
        Kubectl.Result result = fails(kubectl(version).run("exec", "half-done", "-c", "done", "--", "true"));
        assertThat(result.stderr()).contains("unable to upgrade connection: container not found (\"done\")");
        ok(kubectl(version).run("exec", "half-done", "-c", "running", "--", "true"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"33", "27"})
    void podWithoutANodeIsRefused(String version) throws Exception {
        Kubectl.Result result = fails(kubectl(version).run("exec", "unplaced", "--", "true"));
        assertThat(result.stderr()).contains("pod unplaced does not have a host assigned");
        result = fails(kubectl(version).run("port-forward", "unplaced", ":80"));
        assertThat(result.stderr()).contains("pod is not running");
    }

    @Test
    void execWithoutACommandIsRefusedByKubectl() throws Exception {
        Kubectl.Result result = fails(kubectl.run("exec", "sleeper"));
        assertThat(result.stderr()).contains("you must specify at least one command for the container");
    }

    @Test
    void serviceProxyReachesAReadyEndpoint() throws Exception {
        // Once the endpoint slice lists the ready pod.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(ok(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/web:80/proxy/"))
                        .stdout()).isEqualTo("hello from httpd\n"));
        // The only port needs no name; a path and a query go along.
        assertThat(ok(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/web/proxy/index.html?x=1"))
                .stdout()).isEqualTo("hello from httpd\n");
        Kubectl.Result missing = fails(kubectl.run("get", "--raw",
                "/api/v1/namespaces/default/services/web:80/proxy/missing.html"));
        assertThat(missing.stderr()).contains("NotFound");
    }

    @Test
    void serviceWithoutEndpointsOrPortIsUnavailable() throws Exception {
        Kubectl.Result result = fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/nobody/proxy/"));
        assertThat(result.stderr()).contains("ServiceUnavailable")
                .contains("no endpoints available for service \"nobody\"");
        result = fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/web:81/proxy/"));
        assertThat(result.stderr()).contains("no service port \"81\" found for service \"web\"");
    }

    @Test
    void podProxyReachesThePodsPort() throws Exception {
        assertThat(ok(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/web:8080/proxy/index.html"))
                .stdout()).isEqualTo("hello from httpd\n");
        Kubectl.Result result = fails(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/unplaced/proxy/"));
        assertThat(result.stderr()).contains("address not allowed");
    }

    @Test
    void nodeProxyReachesTheKubeletApi() throws Exception {
        assertThat(ok(kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/containerLogs/default/web/web"))
                .stdout()).isEqualTo("serving\n");
    }
}
