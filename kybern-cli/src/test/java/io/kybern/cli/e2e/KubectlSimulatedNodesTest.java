package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Simulated nodes as kubectl users meet them: {@code kubectl get nodes} (and {@code -o wide}) with
 * kubectl's columns, a pod pinned to a node that {@code kubectl wait} sees Ready, and a node stopped and
 * started with {@code kybern sim stop-node/start-node} going NotReady and back, and {@code kubectl top} reading
 * the usage the simulated nodes report through metrics.k8s.io.
 */
@TestServers.WithSimulatedNodes(3)
class KubectlSimulatedNodesTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static List<String> columns(String line) {
        return Arrays.asList(line.trim().split("\\s{2,}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void getNodesShowsTheSimulatedNodesReady(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String version = ok(kubectl.run("get", "node", "sim-node-0", "-o", "jsonpath={.status.nodeInfo.kubeletVersion}"))
                .stdout();

        List<String> lines = ok(kubectl.run("get", "nodes")).stdout().lines().toList();

        assertThat(columns(lines.get(0))).containsExactly("NAME", "STATUS", "ROLES", "AGE", "VERSION");
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 3; i++) {
            List<String> row = columns(lines.get(i + 1));
            assertThat(row.get(0)).isEqualTo("sim-node-" + i);
            assertThat(row.get(1)).isEqualTo("Ready");
            assertThat(row.get(2)).isEqualTo("<none>");
            assertThat(row.get(3)).matches("\\d+[smh].*");
            assertThat(row.get(4)).isEqualTo(version).startsWith("v");
        }

        List<String> wide = ok(kubectl.run("get", "nodes", "-o", "wide")).stdout().lines().toList();

        assertThat(columns(wide.get(0))).containsExactly("NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
                "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME");
        List<String> first = columns(wide.get(1));
        assertThat(first.subList(5, 10)).containsExactly("100.64.0.1", "<none>", "Kybern simulated node",
                "simulated", "kybern-sim://0.1.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aPodPinnedToANodeRunsAndIsReady(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "kubectl-sim-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.run("run", "web", "-n", ns, "--image=nginx", "--overrides",
                "{\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"sim-node-1\"}}"));

        ok(kubectl.run("wait", "-n", ns, "--for=condition=Ready", "pod/web", "--timeout=30s"));

        List<String> lines = ok(kubectl.run("get", "pods", "-n", ns, "-o", "wide")).stdout().lines().toList();
        assertThat(columns(lines.get(0))).startsWith("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE");
        List<String> row = columns(lines.get(1));
        assertThat(row.subList(0, 4)).containsExactly("web", "1/1", "Running", "0");
        assertThat(row.get(5)).startsWith("10.42.1.");
        assertThat(row.get(6)).isEqualTo("sim-node-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aNodeStoppedFromTheCommandLineGoesNotReadyAndComesBack(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String kubeconfig = server.kubeconfig().toString();

        assertThat(TestServers.run("sim", "stop-node", "sim-node-2", "--kubeconfig", kubeconfig))
                .isZero();
        await().atMost(PATIENCE).until(() -> !server.simulatedNodes().node("sim-node-2").running());
        server.advance(clock, Duration.ofSeconds(45));

        await().atMost(PATIENCE).until(() -> nodeStatus(kubectl, "sim-node-2").equals("NotReady"));
        assertThat(nodeStatus(kubectl, "sim-node-0")).isEqualTo("Ready");
        String taints = ok(kubectl.run("get", "node", "sim-node-2", "-o",
                "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}")).stdout();
        assertThat(taints.trim().split(" ")).containsExactlyInAnyOrder("node.kubernetes.io/unreachable:NoSchedule",
                "node.kubernetes.io/unreachable:NoExecute");

        assertThat(TestServers.run("sim", "start-node", "sim-node-2", "--kubeconfig", kubeconfig))
                .isZero();

        await().atMost(PATIENCE).until(() -> nodeStatus(kubectl, "sim-node-2").equals("Ready"));
        await().atMost(PATIENCE).until(() -> ok(kubectl.run("get", "node", "sim-node-2", "-o",
                "jsonpath={.spec.taints}")).stdout().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void kubectlTopShowsTheSimulatedUsageOfPodsAndNodes(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "kubectl-top-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: busy
                  annotations: {sim.kybern.io/cpu-usage: 250m, sim.kybern.io/memory-usage: 100Mi}
                spec:
                  nodeName: sim-node-0
                  containers:
                  - name: c
                    image: nginx
                    resources: {requests: {cpu: 500m, memory: 256Mi}}
                """, "create", "-n", ns, "-f", "-"));
        ok(kubectl.run("wait", "-n", ns, "--for=condition=Ready", "pod/busy", "--timeout=30s"));

        List<String> pods = ok(kubectl.run("top", "pod", "busy", "-n", ns)).stdout().lines().toList();
        assertThat(columns(pods.get(0))).containsExactly("NAME", "CPU(cores)", "MEMORY(bytes)");
        assertThat(columns(pods.get(1))).containsExactly("busy", "250m", "100Mi");

        List<String> nodes = ok(kubectl.run("top", "node", "sim-node-0")).stdout().lines().toList();
        assertThat(columns(nodes.get(0))).startsWith("NAME", "CPU(cores)");
        List<String> row = columns(nodes.get(1));
        assertThat(row.get(0)).isEqualTo("sim-node-0");
        // At least this pod's 250m (other tests may run pods there too), in millicores.
        assertThat(Integer.parseInt(row.get(1).replace("m", ""))).isGreaterThanOrEqualTo(250);

        // A pod that is not running reports no metrics: kubectl says so.
        Kubectl.Result missing = kubectl.run("top", "pod", "no-such-pod", "-n", ns);
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("NotFound");
    }

    @org.junit.jupiter.api.Test
    void stopNodeRefusesNodesThatDoNotExistOrAreNotSimulated() throws Exception {
        Kubectl kubectl = Kubectl.version("33", server.kubeconfig());
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Node
                metadata: {name: real-node}
                """, "create", "-f", "-"));
        String kubeconfig = server.kubeconfig().toString();

        assertThat(TestServers.run("sim", "stop-node", "no-such-node", "--kubeconfig", kubeconfig)).isEqualTo(1);
        assertThat(TestServers.run("sim", "stop-node", "real-node", "--kubeconfig", kubeconfig)).isEqualTo(1);
        assertThat(TestServers.run("sim", "stop-node", "--kubeconfig", kubeconfig)).as("no name").isEqualTo(2);

        assertThat(ok(kubectl.run("get", "node", "real-node", "-o", "jsonpath={.metadata.annotations}")).stdout())
                .doesNotContain("sim.kybern.io/stopped");
        ok(kubectl.run("delete", "node", "real-node"));
    }

    private static String nodeStatus(Kubectl kubectl, String node) throws Exception {
        List<String> lines = ok(kubectl.run("get", "node", node, "--no-headers")).stdout().lines().toList();
        return columns(lines.get(0)).get(1);
    }
}
