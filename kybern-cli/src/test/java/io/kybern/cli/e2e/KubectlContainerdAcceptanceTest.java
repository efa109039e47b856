package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.containerd.ContainerdSupervisor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The acceptance scenarios for workloads on real containers, with the real kubectl: a Job of three
 * completions, a Deployment of ten busybox web servers that survives a restart of the agent (its pods adopted,
 * not recreated) and a containerd killed under it (restarted by the agent, which carries on). In order: the
 * later scenarios run on the agent that replaced the server's (which serves no kubelet API, so no logs).
 * Needs root with containerd, runc, the CNI plugins and busybox-static.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlContainerdAcceptanceTest extends ContainerdServerPerClass {

    static final String NODE = "acceptance-test-node";
    static final String CLUSTER_CIDR = "10.132.0.0/16";

    @BeforeAll
    static void startServer() throws Exception {
        startServerWithAgent(NODE, CLUSTER_CIDR, "kybern-acceptance-test-");
    }

    private static NodeAgent agent() {
        return replacement != null ? replacement : server.agent();
    }

    private static List<Pod> podsOf(String label) {
        return client.pods().inNamespace("default").withLabel(label).list().getItems();
    }

    private static String get(String url) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(url).isEqualTo(200);
            return response.body().strip();
        }
    }

    /** Every web pod answers on its pod IP with its own name (the page its container wrote). */
    private static void everyWebPodAnswers(int replicas) throws Exception {
        List<Pod> pods = podsOf("app=web");
        assertThat(pods).hasSize(replicas);
        for (Pod pod : pods) {
            assertThat(get("http://" + pod.getStatus().getPodIP() + ":8080/")).isEqualTo(pod.getMetadata().getName());
        }
    }

    /** Pod name to its container's ID, restart count and pod UID, as the status reports them. */
    private static Map<String, String> containers() {
        return podsOf("app=web").stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> {
            ContainerStatus container = p.getStatus().getContainerStatuses().get(0);
            return p.getMetadata().getUid() + " " + container.getContainerID() + " " + container.getRestartCount();
        }));
    }

    private static void awaitTenReady() {
        await().atMost(Duration.ofSeconds(180)).ignoreExceptions().untilAsserted(() -> {
            List<Pod> pods = podsOf("app=web");
            assertThat(pods).hasSize(10);
            assertThat(pods).allSatisfy(pod -> {
                assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE);
                assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                assertThat(condition(pod, "Ready")).isEqualTo("True");
            });
            assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getStatus()
                    .getAvailableReplicas()).isEqualTo(10);
        });
    }

    @Test
    @Order(1)
    void aJobOfThreeCompletionsRunsToCompleteOnRealContainers() throws Exception {
        ok(kubectl.runWithInput("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: three}
                spec:
                  completions: 3
                  parallelism: 2
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: work
                        image: busybox
                        command: ["sh", "-c", "echo done by $(hostname)"]
                """, "apply", "-f", "-"));
        ok(kubectl.run("wait", "--for=condition=complete", "job/three", "--timeout=180s"));
        assertThat(ok(kubectl.run("get", "job", "three")).stdout()).contains("3/3");
        assertThat(client.batch().v1().jobs().inNamespace("default").withName("three").get().getStatus()
                .getSucceeded()).isEqualTo(3);
        // Kubernetes may start a pod more than the completions need (two finishing at once); the Job counts
        // three, and each pod that succeeded ran its command on a real container.
        List<Pod> pods = podsOf("job-name=three").stream()
                .filter(pod -> "Succeeded".equals(pod.getStatus().getPhase())).toList();
        assertThat(pods).hasSizeGreaterThanOrEqualTo(3).allSatisfy(pod -> assertThat(pod.getStatus()
                .getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isZero());
        for (Pod pod : pods) {
            assertThat(ok(kubectl.run("logs", pod.getMetadata().getName())).stdout().strip())
                    .isEqualTo("done by " + pod.getMetadata().getName());
        }
        ok(kubectl.run("delete", "job", "three", "--cascade=foreground"));
    }

    @Test
    @Order(2)
    void aDeploymentOfTenWebServersRunsAndARestartedAgentAdoptsItsPods() throws Exception {
        ok(kubectl.run("create", "deployment", "web", "--image", "busybox", "--replicas", "2", "--", "sh", "-c",
                "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"));
        ok(kubectl.run("scale", "deployment", "web", "--replicas", "10"));
        awaitTenReady();
        everyWebPodAnswers(10);
        Map<String, String> before = containers();
        assertThat(before.values()).allSatisfy(c -> assertThat(c).endsWith(" 0"));

        // The agent (and its containerd) stop and a new one starts: the containers ran on under their shims.
        agent().close();
        replacement = NodeAgent.start(client, agentConfig);
        ok(kubectl.run("label", "pods", "-l", "app=web", "adopted=yes"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(podsOf("adopted=yes")).hasSize(10);
            // The same pods (UIDs), the same containers, never restarted; nothing new was created.
            assertThat(containers()).isEqualTo(before);
        });
        everyWebPodAnswers(10);
        assertThat(ok(kubectl.run("get", "deployment", "web")).stdout()).contains("10/10");
    }

    @Test
    @Order(3)
    void aKilledContainerdIsRestartedByTheAgentAndPodsGoOn() throws Exception {
        awaitTenReady();
        Map<String, String> before = containers();
        ContainerdSupervisor containerd = agent().containerd();
        long pid = containerd.pid();
        int restarts = containerd.restarts();
        assertThat(pid).isPositive();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(containerd.restarts()).isGreaterThan(restarts);
            assertThat(containerd.pid()).isPositive().isNotEqualTo(pid);
        });

        // The running containers were not touched, and the agent goes on through the new containerd: a new
        // pod starts, and a deleted pod is stopped and replaced by its ReplicaSet.
        everyWebPodAnswers(10);
        ok(kubectl.run("run", "after-crash", "--image", "busybox", "--", "sleep", "3600"));
        String victim = podsOf("app=web").get(0).getMetadata().getName();
        ok(kubectl.run("delete", "pod", victim, "--grace-period", "1"));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            assertThat(status("after-crash").getState().getRunning()).isNotNull();
            assertThat(pod(victim)).isNull();
        });
        awaitTenReady();
        Map<String, String> after = containers();
        before.remove(victim);
        assertThat(after).containsAllEntriesOf(before).hasSize(10);
        everyWebPodAnswers(10);
        ok(kubectl.run("delete", "pod", "after-crash", "--grace-period", "1"));
        // Foreground: the Deployment goes once its pods are stopped and gone, so nothing is left stopping when
        // the class cleans up.
        ok(kubectl.run("delete", "deployment", "web", "--cascade=foreground"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(podsOf("app=web")).isEmpty());
    }
}
