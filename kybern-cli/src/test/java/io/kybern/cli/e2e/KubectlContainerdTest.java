package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.PodSandboxFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods in real containers: a {@code kybern server} whose node agent runs a containerd
 * of its own under a temporary directory, driven with the real kubectl. Slow-ish (containers start,
 * crash loops back off), and it needs root with containerd, runc, the CNI plugins and busybox-static
 * installed: without them it fails and says what to install.
 */
class KubectlContainerdTest extends ContainerdServerPerClass {

    static final String NODE = "containerd-test-node";
    static final String CLUSTER_CIDR = "10.123.0.0/16";

    @BeforeAll
    static void startServer() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-agent-test-");
    }

    private static List<String> eventReasons(String podName) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> podName.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    private static List<PodSandbox> sandboxesOf(String uid) {
        try (CriClient cri = CriClient.connect(server.agent().runtimeSocket())) {
            return cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().putLabelSelector("io.kubernetes.pod.uid", uid)).build())
                    .getItemsList();
        }
    }

    @Test
    void theNodeRegistersWithAPodCidrAndTheRuntimeVersion() {
        var node = client.nodes().withName(NODE).get();
        assertThat(node.getSpec().getPodCIDR()).startsWith("10.123.").endsWith("/24");
        assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
        assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "ephemeral-storage", "pods");
        assertThat(node.getStatus().getCapacity().get("pods").getAmount()).isEqualTo("110");
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", NODE)
                .containsEntry("kubernetes.io/os", "linux");
    }

    @Test
    void pingpongRunsWithAnAddressFromThePodCidrAndStopsWhenDeleted() throws Exception {
        // busybox:latest, so pull policy Always: pulled from Kybern's registry through containerd's mirror.
        ok(kubectl.run("run", "pingpong", "--image", "busybox", "--", "ping", "127.0.0.1"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = pod("pingpong");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(condition(pod, "Ready")).isEqualTo("True");
        });
        Pod pod = pod("pingpong");
        String cidr = client.nodes().withName(NODE).get().getSpec().getPodCIDR();
        String prefix = cidr.substring(0, cidr.lastIndexOf('.') + 1);
        assertThat(pod.getStatus().getPodIP()).startsWith(prefix).isNotEqualTo(prefix + "0").isNotEqualTo(prefix + "1");
        assertThat(pod.getStatus().getHostIP()).isNotBlank();
        assertThat(pod.getStatus().getStartTime()).isNotBlank();
        assertThat(pod.getStatus().getQosClass()).isEqualTo("BestEffort");
        assertThat(pod.getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("Always");
        ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
        assertThat(container.getState().getRunning()).isNotNull();
        assertThat(container.getReady()).isTrue();
        assertThat(container.getRestartCount()).isZero();
        assertThat(container.getImage()).isEqualTo("docker.io/library/busybox:latest");
        // Pulled from the registry: the image ID is its repository digest, as Kubernetes shows it.
        assertThat(container.getImageID()).startsWith("docker.io/library/busybox@sha256:");
        assertThat(container.getContainerID()).startsWith("containerd://");
        assertThat(ok(kubectl.run("get", "pod", "pingpong")).stdout()).contains("1/1", "Running");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventReasons("pingpong"))
                .contains("Scheduled", "Pulling", "Pulled", "Created", "Started"));
        assertThat(sandboxesOf(pod.getMetadata().getUid())).hasSize(1);

        ok(kubectl.run("delete", "pod", "pingpong", "--grace-period", "2"));
        assertThat(pod("pingpong")).isNull();
        assertThat(sandboxesOf(pod.getMetadata().getUid())).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventReasons("pingpong"))
                .contains("Killing"));
    }

    @Test
    void initContainersRunInOrderBeforeTheContainers() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: with-init
                spec:
                  initContainers:
                  - name: first
                    image: busybox
                    command: ["sh", "-c", "sleep 1"]
                  - name: second
                    image: busybox
                    command: ["true"]
                  containers:
                  - name: main
                    image: busybox
                    command: ["sleep", "3600"]
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = pod("with-init");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(condition(pod, "Initialized")).isEqualTo("True");
        });
        Pod pod = pod("with-init");
        var inits = pod.getStatus().getInitContainerStatuses();
        assertThat(inits).extracting(ContainerStatus::getName).containsExactly("first", "second");
        for (ContainerStatus init : inits) {
            assertThat(init.getState().getTerminated().getExitCode()).isZero();
            assertThat(init.getState().getTerminated().getReason()).isEqualTo("Completed");
        }
        // The second started after the first had finished.
        assertThat(java.time.Instant.parse(inits.get(1).getState().getTerminated().getStartedAt()))
                .isAfterOrEqualTo(java.time.Instant.parse(inits.get(0).getState().getTerminated().getFinishedAt()));
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
        ok(kubectl.run("delete", "pod", "with-init", "--grace-period", "1"));
    }

    @Test
    void aFailingInitContainerOfANeverRestartingPodFailsIt() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad-init
                spec:
                  restartPolicy: Never
                  initContainers:
                  - name: setup
                    image: busybox
                    command: ["sh", "-c", "exit 4"]
                  containers:
                  - name: main
                    image: busybox
                    command: ["sleep", "3600"]
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = pod("bad-init");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getExitCode())
                    .isEqualTo(4);
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                    .isEqualTo("PodInitializing");
        });
        ok(kubectl.run("delete", "pod", "bad-init", "--grace-period", "1"));
    }

    @Test
    void commandArgsAndEnvAreExpandedAsKubernetesDoes() throws Exception {
        // The container's exit code says whether every expansion came out right.
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: expansion
                spec:
                  restartPolicy: Never
                  containers:
                  - name: check
                    image: busybox
                    workingDir: /tmp
                    env:
                    - name: WHO
                      value: world
                    - name: GREETING
                      value: hello $(WHO)
                    - name: MY_POD
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.name
                    command: ["sh", "-c"]
                    args:
                    - test "$(GREETING)" = "hello world" && test "$GREETING" = "hello world" && test "$(MY_POD)" = expansion && test "$$(pwd)" = /tmp && test "$(UNDEFINED)" = "" && exit 7
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = pod("expansion");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(status("expansion").getState().getTerminated().getExitCode()).isEqualTo(7);
            assertThat(condition(pod, "Ready")).isEqualTo("False");
        });
        ok(kubectl.run("delete", "pod", "expansion", "--grace-period", "1"));
    }

    @Test
    void aContainerThatExitsOneGoesIntoCrashLoopBackOff() throws Exception {
        ok(kubectl.run("run", "crasher", "--image", "busybox", "--", "sh", "-c", "exit 1"));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus container = status("crasher");
            assertThat(container.getRestartCount()).isGreaterThanOrEqualTo(2);
            assertThat(container.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
            assertThat(container.getState().getWaiting().getMessage()).startsWith("back-off ")
                    .contains("restarting failed container=crasher pod=crasher_default(");
            assertThat(container.getLastState().getTerminated().getExitCode()).isEqualTo(1);
            assertThat(container.getLastState().getTerminated().getReason()).isEqualTo("Error");
        });
        assertThat(pod("crasher").getStatus().getPhase()).isEqualTo("Running");
        assertThat(ok(kubectl.run("get", "pod", "crasher")).stdout()).containsAnyOf("CrashLoopBackOff", "Error",
                "Completed");
        int seen = status("crasher").getRestartCount();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("crasher").getRestartCount()).isGreaterThan(seen));
        assertThat(eventReasons("crasher")).contains("BackOff", "Started");
        ok(kubectl.run("delete", "pod", "crasher", "--grace-period", "1"));
    }

    @Test
    void aMissingImageGivesErrImagePullThenImagePullBackOff() throws Exception {
        // Nothing listens on port 1: the pull fails at once.
        ok(kubectl.run("run", "ghost", "--image", "localhost:1/kybern/missing:1.0"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("ghost").getState().getWaiting().getReason()).isEqualTo("ErrImagePull"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var waiting = status("ghost").getState().getWaiting();
            assertThat(waiting.getReason()).isEqualTo("ImagePullBackOff");
            assertThat(waiting.getMessage()).isEqualTo("Back-off pulling image \"localhost:1/kybern/missing:1.0\"");
        });
        assertThat(pod("ghost").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(eventReasons("ghost")).contains("Pulling", "Failed", "BackOff");
        String uid = pod("ghost").getMetadata().getUid();
        assertThat(sandboxesOf(uid)).hasSize(1); // the sandbox runs; only the container waits for its image
        ok(kubectl.run("delete", "pod", "ghost", "--grace-period", "1"));
        assertThat(sandboxesOf(uid)).isEmpty();
    }

    @Test
    void aRestartedAgentAdoptsTheRunningPodInsteadOfRecreatingIt() throws Exception {
        ok(kubectl.run("run", "survivor", "--image", "busybox", "--", "sleep", "3600"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("survivor").getState().getRunning()).isNotNull());
        String uid = pod("survivor").getMetadata().getUid();
        String containerId = status("survivor").getContainerID();
        List<String> sandboxes = sandboxesOf(uid).stream().map(PodSandbox::getId).toList();
        assertThat(sandboxes).hasSize(1);

        // The agent and its containerd stop; the container keeps running under its shim.
        NodeAgent running = replacement != null ? replacement : server.agent();
        running.close();
        replacement = NodeAgent.start(client, agentConfig);

        assertThat(sandboxesOf(uid).stream().map(PodSandbox::getId).toList()).isEqualTo(sandboxes);
        // A change to the pod reaches the new agent, which reports the same container, never restarted.
        ok(kubectl.run("label", "pod", "survivor", "adopted=yes"));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus container = status("survivor");
            assertThat(container.getContainerID()).isEqualTo(containerId);
            assertThat(container.getRestartCount()).isZero();
            assertThat(container.getState().getRunning()).isNotNull();
        });
        ok(kubectl.run("delete", "pod", "survivor", "--grace-period", "1"));
        assertThat(sandboxesOf(uid)).isEmpty();
    }

    @Test
    void aMemoryLimitIsTheContainersCgroupLimitAndAHogIsOomKilled() throws Exception {
        // The container checks its own cgroup (v1 or v2) and exits 5 when the limit is 64 MiB.
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: limited
                spec:
                  restartPolicy: Never
                  containers:
                  - name: check
                    image: busybox
                    resources:
                      limits:
                        memory: 64Mi
                        cpu: 500m
                    command: ["sh", "-c"]
                    args:
                    - limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); test "$limit" = 67108864 && exit 5
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: hog
                spec:
                  restartPolicy: Never
                  containers:
                  - name: hog
                    image: busybox
                    resources:
                      limits:
                        memory: 32Mi
                    command: ["sh", "-c", "x=$(head -c 268435456 /dev/zero | tr '\\\\0' a); echo survived"]
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(status("limited").getState().getTerminated().getExitCode()).isEqualTo(5);
            assertThat(pod("limited").getStatus().getQosClass()).isEqualTo("Guaranteed");
        });
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var terminated = status("hog").getState().getTerminated();
            assertThat(terminated.getReason()).isEqualTo("OOMKilled");
            assertThat(terminated.getExitCode()).isEqualTo(137);
            assertThat(pod("hog").getStatus().getPhase()).isEqualTo("Failed");
        });
        ok(kubectl.run("delete", "pod", "limited", "hog", "--grace-period", "1"));
    }

    @Test
    void securityContextSetsTheUserAndRunAsNonRootRefusesRoot() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: as-user
                spec:
                  restartPolicy: Never
                  securityContext:
                    runAsUser: 1000
                    runAsGroup: 3000
                    runAsNonRoot: true
                  containers:
                  - name: check
                    image: busybox
                    securityContext:
                      readOnlyRootFilesystem: true
                      allowPrivilegeEscalation: false
                    command: ["sh", "-c", "test $(id -u) = 1000 && test $(id -g) = 3000 && ! touch /x 2>/dev/null && exit 6"]
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: as-root
                spec:
                  containers:
                  - name: root
                    image: busybox
                    securityContext:
                      runAsNonRoot: true
                    command: ["sleep", "3600"]
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("as-user").getState().getTerminated().getExitCode()).isEqualTo(6));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var waiting = status("as-root").getState().getWaiting();
            assertThat(waiting.getReason()).isEqualTo("CreateContainerConfigError");
            assertThat(waiting.getMessage()).startsWith("container has runAsNonRoot and image will run as root");
        });
        assertThat(pod("as-root").getStatus().getPhase()).isEqualTo("Pending");
        ok(kubectl.run("delete", "pod", "as-user", "as-root", "--grace-period", "1"));
    }

    @Test
    void anEmptyDirIsSharedBetweenContainersAndRemovedWithThePod() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: shared
                spec:
                  restartPolicy: Never
                  volumes:
                  - name: scratch
                    emptyDir: {}
                  - name: memory
                    emptyDir:
                      medium: Memory
                  initContainers:
                  - name: writer
                    image: busybox
                    command: ["sh", "-c", "echo hello > /scratch/greeting && echo fast > /fast/note"]
                    volumeMounts:
                    - {name: scratch, mountPath: /scratch}
                    - {name: memory, mountPath: /fast}
                  containers:
                  - name: reader
                    image: busybox
                    command: ["sh", "-c"]
                    args:
                    - test "$(cat /data/greeting)" = hello && test "$(cat /fast/note)" = fast && grep -q ' /fast tmpfs ' /proc/mounts && exit 8
                    volumeMounts:
                    - {name: scratch, mountPath: /data}
                    - {name: memory, mountPath: /fast}
                """, "apply", "-f", "-"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(status("shared").getState().getTerminated().getExitCode()).isEqualTo(8));
        String uid = pod("shared").getMetadata().getUid();
        Path volumes = agentConfig.dataDir().resolve("volumes").resolve(uid);
        assertThat(volumes.resolve("scratch/greeting")).hasContent("hello");
        // A finished pod's object goes at once (no grace period); the agent cleans up after it.
        ok(kubectl.run("delete", "pod", "shared", "--grace-period", "1"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(volumes).doesNotExist();
            assertThat(sandboxesOf(uid)).isEmpty();
        });
    }
}
