package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandboxFilter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod lifecycle beyond starting containers, on real containers driven with the real kubectl: postStart and
 * preStop hooks, service environment variables, persistentVolumeClaim volumes, host-port conflicts and static
 * pods with their mirror pods. Needs root with containerd, runc, the CNI plugins and busybox-static.
 */
class KubectlContainerdLifecycleTest extends ContainerdServerPerClass {

    static final String NODE = "lifecycle-test-node";
    static final String CLUSTER_CIDR = "10.131.0.0/16";

    @BeforeAll
    static void startServer() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-lifecycle-test-");
    }

    /** The messages of the events of the object with that name and reason. */
    private static List<String> events(String name, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }

    /** A directory of the host that a test's containers write to (a hostPath volume) and the test reads. */
    private static Path outDir(String pod) throws Exception {
        Path out = dir.resolve("out").resolve(pod);
        Files.createDirectories(out);
        return out;
    }

    private static String read(Path file) throws Exception {
        return Files.readString(file).strip();
    }

    private static void awaitRunning(String name) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod(name).getStatus().getPhase()).isEqualTo("Running");
            assertThat(status(name).getState().getRunning()).isNotNull();
        });
    }

    // --- lifecycle hooks ---

    @Test
    void preStopRunsBeforeSigtermAndAFailingOneIsReportedButStopsNothingElse() throws Exception {
        Path out = outDir("prestop");
        // The container records, on SIGTERM, what the preStop hook had written by then, and when.
        String trapping = "trap 'cat /out/$(hostname).hook > /out/$(hostname).term 2>&1; date +%s >> "
                + "/out/$(hostname).term; exit 0' TERM; while true; do sleep 1; done";
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata: {name: prestop-exec}
                spec:
                  terminationGracePeriodSeconds: 20
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "%1$s"]
                    lifecycle:
                      preStop:
                        exec: {command: ["sh", "-c", "echo drained > /out/$(hostname).hook"]}
                    volumeMounts: [{name: out, mountPath: /out}]
                  volumes: [{name: out, hostPath: {path: %2$s}}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: prestop-sleep}
                spec:
                  terminationGracePeriodSeconds: 20
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "echo none > /out/$(hostname).hook; %1$s"]
                    lifecycle:
                      preStop:
                        sleep: {seconds: 3}
                    volumeMounts: [{name: out, mountPath: /out}]
                  volumes: [{name: out, hostPath: {path: %2$s}}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: prestop-fails}
                spec:
                  terminationGracePeriodSeconds: 20
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "echo none > /out/$(hostname).hook; %1$s"]
                    lifecycle:
                      preStop:
                        exec: {command: ["sh", "-c", "echo cannot drain; exit 3"]}
                    volumeMounts: [{name: out, mountPath: /out}]
                  volumes: [{name: out, hostPath: {path: %2$s}}]
                """.formatted(trapping, out), "apply", "-f", "-"));
        for (String name : List.of("prestop-exec", "prestop-sleep", "prestop-fails")) {
            awaitRunning(name);
        }
        long before = System.currentTimeMillis() / 1000;
        ok(kubectl.run("delete", "pod", "prestop-exec", "prestop-sleep", "prestop-fails"));

        // The hook ran to its end before SIGTERM.
        assertThat(read(out.resolve("prestop-exec.term"))).startsWith("drained\n");
        // SIGTERM came after the sleep hook's three seconds (whole seconds on both clocks: one of slack).
        List<String> slept = Files.readAllLines(out.resolve("prestop-sleep.term"));
        assertThat(slept.get(0)).isEqualTo("none");
        assertThat(Long.parseLong(slept.get(1).strip()) - before).isGreaterThanOrEqualTo(2);
        // A failing hook is an event; the container is stopped all the same, with SIGTERM.
        assertThat(read(out.resolve("prestop-fails.term"))).startsWith("none\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("prestop-fails",
                "FailedPreStopHook")).singleElement().satisfies(message -> assertThat(message)
                        .startsWith("Exec lifecycle hook ([sh -c echo cannot drain; exit 3]) for Container \"app\" in"
                                + " Pod \"prestop-fails_default(")
                        .contains("failed - error: command 'sh -c echo cannot drain; exit 3' exited with 3")
                        .endsWith("message: \"cannot drain\\n\"")));
        assertThat(events("prestop-exec", "FailedPreStopHook")).isEmpty();
        assertThat(events("prestop-sleep", "FailedPreStopHook")).isEmpty();
    }

    @Test
    void postStartRunsAfterTheStartAndAFailingOneKillsTheContainer() throws Exception {
        Path out = outDir("poststart");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata: {name: poststart-ok}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    lifecycle:
                      postStart:
                        exec: {command: ["sh", "-c", "echo hooked > /out/poststart-ok"]}
                    volumeMounts: [{name: out, mountPath: /out}]
                  volumes: [{name: out, hostPath: {path: %s}}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: poststart-exec-fails}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    lifecycle:
                      postStart:
                        exec: {command: ["sh", "-c", "exit 7"]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: poststart-http-fails}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    lifecycle:
                      postStart:
                        httpGet: {host: 127.0.0.1, path: /warm, port: %d}
                """.formatted(out, closedPort), "apply", "-f", "-"));
        awaitRunning("poststart-ok");
        assertThat(read(out.resolve("poststart-ok"))).isEqualTo("hooked");
        assertThat(events("poststart-ok", "FailedPostStartHook")).isEmpty();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(events("poststart-exec-fails", "FailedPostStartHook")).singleElement()
                    .satisfies(message -> assertThat(message)
                            .startsWith("Exec lifecycle hook ([sh -c exit 7]) for Container \"app\" in Pod"
                                    + " \"poststart-exec-fails_default(")
                            .contains("exited with 7"));
            assertThat(events("poststart-http-fails", "FailedPostStartHook")).singleElement()
                    .satisfies(message -> assertThat(message)
                            .startsWith("HTTP lifecycle hook (/warm) for Container \"app\" in Pod"
                                    + " \"poststart-http-fails_default(")
                            .endsWith("failed - error: Get \"http://127.0.0.1:" + closedPort
                                    + "/warm\": dial tcp 127.0.0.1:" + closedPort + ": connect: connection refused"));
            assertThat(events("poststart-exec-fails", "Killing")).contains("FailedPostStartHook");
            // Killed, the container is restarted by the pod's policy (Always), and fails again.
            assertThat(status("poststart-exec-fails").getRestartCount()).isPositive();
        });
        ok(kubectl.run("delete", "pod", "poststart-ok", "poststart-exec-fails", "poststart-http-fails",
                "--grace-period", "1"));
    }

    // --- service environment variables ---

    @Test
    void serviceVariablesAreSetAsKubeletSetsThemWithoutOverridingExplicitEnv() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Service
                metadata: {name: my-db}
                spec:
                  ports:
                  - {name: sql, port: 5432, targetPort: 5432}
                  - {name: metrics, port: 9187, protocol: UDP}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: env-links}
                spec:
                  restartPolicy: Never
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "env | sort"]
                    env:
                    - {name: MY_DB_SERVICE_PORT, value: "explicit"}
                    - {name: DB_URL, value: "postgres://$(MY_DB_SERVICE_HOST):$(MY_DB_SERVICE_PORT_SQL)"}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: env-nolinks}
                spec:
                  restartPolicy: Never
                  enableServiceLinks: false
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "env | sort"]
                """, "apply", "-f", "-"));
        String ip = client.services().inNamespace("default").withName("my-db").get().getSpec().getClusterIP();
        String kubernetesIp = client.services().inNamespace("default").withName("kubernetes").get().getSpec()
                .getClusterIP();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod("env-links").getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(pod("env-nolinks").getStatus().getPhase()).isEqualTo("Succeeded");
        });
        List<String> links = ok(kubectl.run("logs", "env-links")).stdout().lines().toList();
        assertThat(links).contains("MY_DB_SERVICE_HOST=" + ip, "MY_DB_SERVICE_PORT=explicit",
                "MY_DB_SERVICE_PORT_SQL=5432", "MY_DB_SERVICE_PORT_METRICS=9187",
                "MY_DB_PORT=tcp://" + ip + ":5432",
                "MY_DB_PORT_5432_TCP=tcp://" + ip + ":5432", "MY_DB_PORT_5432_TCP_PROTO=tcp",
                "MY_DB_PORT_5432_TCP_PORT=5432", "MY_DB_PORT_5432_TCP_ADDR=" + ip,
                "MY_DB_PORT_9187_UDP=udp://" + ip + ":9187", "MY_DB_PORT_9187_UDP_PROTO=udp",
                "DB_URL=postgres://" + ip + ":5432",
                "KUBERNETES_SERVICE_HOST=" + kubernetesIp, "KUBERNETES_SERVICE_PORT=443",
                "KUBERNETES_SERVICE_PORT_HTTPS=443", "KUBERNETES_PORT_443_TCP_ADDR=" + kubernetesIp);
        List<String> noLinks = ok(kubectl.run("logs", "env-nolinks")).stdout().lines().toList();
        assertThat(noLinks).contains("KUBERNETES_SERVICE_HOST=" + kubernetesIp);
        assertThat(noLinks).noneMatch(line -> line.startsWith("MY_DB_"));
        ok(kubectl.run("delete", "pod", "env-links", "env-nolinks"));
        ok(kubectl.run("delete", "service", "my-db"));
    }

    // --- persistentVolumeClaim volumes ---

    @Test
    void aClaimOfTheLocalPathClassIsMountedReadOnlyWhenAskedAndAnUnboundOneKeepsThePodWaiting() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: claim-writer}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "echo persisted > /data/file && sleep 3600"]
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes:
                  - name: data
                    persistentVolumeClaim: {claimName: data}
                """, "apply", "-f", "-"));
        awaitRunning("claim-writer");
        var claim = client.persistentVolumeClaims().inNamespace("default").withName("data").get();
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        var volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
        // The container wrote into the volume's directory on the node.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(read(Path.of(volume.getSpec().getHostPath().getPath()).resolve("file")))
                        .isEqualTo("persisted"));

        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata: {name: claim-reader}
                spec:
                  restartPolicy: Never
                  containers:
                  - name: app
                    image: busybox
                    command: ["sh", "-c", "cat /data/file; touch /data/other 2>&1 || true"]
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes:
                  - name: data
                    persistentVolumeClaim: {claimName: data, readOnly: true}
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("claim-reader").getStatus().getPhase()).isEqualTo("Succeeded"));
        assertThat(ok(kubectl.run("logs", "claim-reader")).stdout()).contains("persisted")
                .contains("Read-only file system");

        // A claim nothing can bind (its class does not exist), with a pod bound to the node by its author.
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: unbound}
                spec:
                  storageClassName: no-such-class
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: claim-waiting}
                spec:
                  nodeName: %s
                  containers:
                  - name: app
                    image: busybox
                    command: ["sleep", "3600"]
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes:
                  - name: data
                    persistentVolumeClaim: {claimName: unbound}
                """.formatted(NODE), "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(events("claim-waiting", "FailedMount"))
                .contains("Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data],"
                        + " failed to process volumes=[data]: error processing PVC default/unbound: PVC is not bound"));
        Pod waiting = pod("claim-waiting");
        assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(waiting.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                .isEqualTo("ContainerCreating");
        assertThat(events("claim-waiting", "Started")).isEmpty();
        ok(kubectl.run("delete", "pod", "claim-writer", "claim-reader", "claim-waiting", "--grace-period", "1"));
        ok(kubectl.run("delete", "pvc", "data", "unbound"));
    }

    // --- host ports ---

    private static String get(String url) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body().strip();
        }
    }

    private static String webPod(String name, int hostPort, String nodeName) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: busybox
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports:
                    - {containerPort: 8080, hostPort: %d}
                """.formatted(name, nodeName == null ? "" : "nodeName: " + nodeName, hostPort);
    }

    @Test
    void aHostPortHeldByAPodIsRefusedToOthersWithKubernetesReasonsAndTheHolderKeepsServing() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ok(kubectl.runWithInput(webPod("port-holder", port, null), "apply", "-f", "-"));
        awaitRunning("port-holder");
        // Through the scheduler: no node has the port free.
        ok(kubectl.runWithInput(webPod("port-scheduled", port, null), "apply", "-f", "-"));
        // Bound to the node by its author: the node's admission refuses it.
        ok(kubectl.runWithInput(webPod("port-bound", port, NODE), "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod scheduled = pod("port-scheduled");
            assertThat(scheduled.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(scheduled.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("PodScheduled");
                assertThat(c.getReason()).isEqualTo("Unschedulable");
                assertThat(c.getMessage()).contains("node(s) didn't have free ports for the requested pod ports");
            });
            Pod bound = pod("port-bound");
            assertThat(bound.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(bound.getStatus().getReason()).isEqualTo("NodePorts");
            assertThat(bound.getStatus().getMessage()).isEqualTo("Pod was rejected: Predicate NodePorts failed");
        });
        assertThat(events("port-bound", "NodePorts")).contains("Predicate NodePorts failed");
        assertThat(events("port-bound", "Started")).isEmpty();
        assertThat(ok(kubectl.run("get", "pod", "port-bound")).stdout()).contains("NodePorts");
        // The holder still runs and answers, on its pod IP and on the node's port.
        Pod holder = pod("port-holder");
        assertThat(holder.getStatus().getPhase()).isEqualTo("Running");
        assertThat(get("http://" + holder.getStatus().getPodIP() + ":8080/")).isEqualTo("port-holder");
        assertThat(get("http://" + holder.getStatus().getHostIP() + ":" + port + "/")).isEqualTo("port-holder");

        // Once the holder is gone, the scheduler places the waiting pod.
        ok(kubectl.run("delete", "pod", "port-holder", "port-bound", "--grace-period", "1"));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(pod("port-scheduled").getStatus().getPhase()).isEqualTo("Running"));
        ok(kubectl.run("delete", "pod", "port-scheduled", "--grace-period", "1"));
    }

    @Test
    void aHostPortHeldByAProcessOfTheMachineDoesNotStopThePodAsOnKubernetesWithContainerd() throws Exception {
        // CNI's portmap forwards host ports by NAT without binding them: neither Kubernetes nor the runtime
        // sees the process, so the pod runs, and the process keeps its socket.
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            ok(kubectl.runWithInput(webPod("port-over-process", taken.getLocalPort(), null), "apply", "-f", "-"));
            awaitRunning("port-over-process");
            // Running says the container started, not that httpd listens yet (the pod has no readiness probe).
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(get("http://" + pod("port-over-process").getStatus().getPodIP() + ":8080/"))
                            .isEqualTo("port-over-process"));
            assertThat(taken.isBound()).isTrue();
            assertThat(taken.isClosed()).isFalse();
            ok(kubectl.run("delete", "pod", "port-over-process", "--grace-period", "1"));
        }
    }

    // --- static pods ---

    private static final String STATIC_WEB = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: static-web
              labels: {app: static-web}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: busybox
                command: ["sh", "-c", "echo serving %s; exec sleep 3600"]
            """;

    private static Pod mirror() {
        return pod("static-web-" + NODE);
    }

    private static int sandboxesOf(String uid) {
        try (CriClient cri = CriClient.connect(server.agent().runtimeSocket())) {
            return cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().putLabelSelector("io.kubernetes.pod.uid", uid)).build())
                    .getItemsCount();
        }
    }

    @Test
    void aStaticPodRunsFromItsFileWithAMirrorPodThatFollowsTheFile() throws Exception {
        Path manifests = agentConfig.staticPodPath();
        Files.createDirectories(manifests);
        Files.writeString(manifests.resolve("static-web.yaml"), STATIC_WEB.formatted("v1"));

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod mirror = mirror();
            assertThat(mirror.getStatus().getPhase()).isEqualTo("Running");
            assertThat(mirror.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
        });
        Pod mirror = mirror();
        var annotations = mirror.getMetadata().getAnnotations();
        String hash = annotations.get("kubernetes.io/config.hash");
        assertThat(hash).matches("[0-9a-f]{32}");
        assertThat(annotations).containsEntry("kubernetes.io/config.mirror", hash)
                .containsEntry("kubernetes.io/config.source", "file").containsKey("kubernetes.io/config.seen");
        assertThat(mirror.getMetadata().getUid()).isNotEqualTo(hash);
        String nodeUid = client.nodes().withName(NODE).get().getMetadata().getUid();
        assertThat(mirror.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Node");
            assertThat(owner.getName()).isEqualTo(NODE);
            assertThat(owner.getUid()).isEqualTo(nodeUid);
        });
        assertThat(sandboxesOf(hash)).isEqualTo(1);
        String containerId = mirror.getStatus().getContainerStatuses().get(0).getContainerID();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ok(kubectl.run("logs", "static-web-" + NODE)).stdout()).contains("serving v1"));

        // Deleting the mirror does not stop the static pod: the mirror comes back, the container is the same.
        ok(kubectl.run("delete", "pod", "static-web-" + NODE));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod again = mirror();
            assertThat(again.getMetadata().getUid()).isNotEqualTo(mirror.getMetadata().getUid());
            assertThat(again.getStatus().getContainerStatuses().get(0).getContainerID()).isEqualTo(containerId);
        });

        // An edited file is a new pod: a new hash, a new container; the old sandbox goes.
        Files.writeString(manifests.resolve("static-web.yaml"), STATIC_WEB.formatted("v2"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod edited = mirror();
            assertThat(edited.getMetadata().getAnnotations().get("kubernetes.io/config.mirror")).isNotEqualTo(hash);
            assertThat(edited.getStatus().getContainerStatuses().get(0).getContainerID()).isNotEqualTo(containerId);
            assertThat(edited.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
            assertThat(sandboxesOf(hash)).isZero();
        });
        String newHash = mirror().getMetadata().getAnnotations().get("kubernetes.io/config.mirror");
        assertThat(ok(kubectl.run("logs", "static-web-" + NODE)).stdout()).contains("serving v2");

        // A removed file stops the pod and removes its mirror.
        Files.delete(manifests.resolve("static-web.yaml"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(mirror()).isNull();
            assertThat(sandboxesOf(newHash)).isZero();
        });
    }
}
