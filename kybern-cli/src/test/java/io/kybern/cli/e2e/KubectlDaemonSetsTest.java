package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DaemonSet scenario with the real kubectl on three simulated nodes: one pod per node, then
 * only on labelled nodes, off a node tainted NoExecute and back when the taint goes; a pod deleted by hand
 * comes back; {@code rollout status|history|undo} and {@code set image} over ControllerRevisions, with
 * maxUnavailable and with maxSurge.
 */
@TestServers.WithSimulatedNodes(3)
class KubectlDaemonSetsTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static String get(Kubectl kubectl, String ns, String what, String jsonpath) throws Exception {
        return ok(kubectl.run("get", what, "-n", ns, "-o", "jsonpath=" + jsonpath)).stdout().trim();
    }

    private static String daemonSet(String name, String image) {
        return """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: agent, image: "%s"}]
                """.formatted(name, name, name, image);
    }

    /** The nodes of the live (not terminating) pods of the DaemonSet, sorted, as {@code node} words. */
    private static List<String> podNodes(Kubectl kubectl, String ns, String app) throws Exception {
        String out = ok(kubectl.run("get", "pods", "-n", ns, "-l", "app=" + app, "-o",
                "jsonpath={range .items[*]}{.metadata.deletionTimestamp}:{.spec.affinity.nodeAffinity"
                        + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]"
                        + ".values[0]}{\" \"}{end}")).stdout();
        return Arrays.stream(out.trim().split(" ")).filter(p -> p.startsWith(":")).map(p -> p.substring(1))
                .sorted().toList();
    }

    /** Every event and pod of the namespace, for a failure message that says what happened. */
    private static String history(Kubectl kubectl, String ns) {
        try {
            return kubectl.run("get", "events", "-n", ns, "--sort-by=.metadata.resourceVersion", "-o",
                    "custom-columns=KIND:.involvedObject.kind,NAME:.involvedObject.name,REASON:.reason,"
                            + "MESSAGE:.message,SOURCE:.source.component").stdout()
                    + kubectl.run("get", "pods", "-n", ns, "-o", "wide").stdout();
        } catch (Exception e) {
            return "(history unavailable: " + e + ")";
        }
    }

    private static void rolledOut(Kubectl kubectl, String ns, String name) throws Exception {
        assertThat(ok(kubectl.run("rollout", "status", "ds/" + name, "-n", ns, "--timeout=60s")).stdout())
                .contains("daemon set \"" + name + "\" successfully rolled out");
    }

    @Test
    void aDaemonSetFollowsNodeLabelsAndTaints() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "ds-nodes";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(daemonSet("agent", "nginx:1.25"), "apply", "-n", ns, "-f", "-"));

        // One pod per node, pinned by affinity, bound by the scheduler, with the automatic tolerations.
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent")
                .equals(List.of("sim-node-0", "sim-node-1", "sim-node-2")));
        rolledOut(kubectl, ns, "agent");
        String bound = get(kubectl, ns, "pods", "{range .items[*]}{.spec.nodeName}={.spec.affinity.nodeAffinity"
                + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]} {end}");
        assertThat(bound.split(" ")).containsExactlyInAnyOrder("sim-node-0=sim-node-0", "sim-node-1=sim-node-1",
                "sim-node-2=sim-node-2");
        String tolerations = get(kubectl, ns, "pods", "{.items[0].spec.tolerations[*].key}");
        assertThat(tolerations.split(" ")).contains("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable",
                "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable")
                .doesNotContain("node.kubernetes.io/network-unavailable");
        assertThat(get(kubectl, ns, "ds/agent", "{.status.desiredNumberScheduled} {.status.currentNumberScheduled} "
                + "{.status.numberReady} {.status.updatedNumberScheduled} {.status.numberAvailable} "
                + "{.status.numberMisscheduled}")).isEqualTo("3 3 3 3 3 0");
        String table = ok(kubectl.run("get", "ds", "agent", "-n", ns)).stdout();
        assertThat(table).containsPattern("agent\\s+3\\s+3\\s+3\\s+3\\s+3\\s+<none>");
        String created = ok(kubectl.run("get", "events", "-n", ns, "--field-selector",
                "involvedObject.kind=DaemonSet,reason=SuccessfulCreate", "-o",
                "jsonpath={range .items[*]}{.message}|{.source.component}{\"\\n\"}{end}")).stdout();
        assertThat(created.lines().toList()).as(() -> history(kubectl, ns)).hasSize(3)
                .allMatch(line -> line.matches("Created pod: agent-[a-z0-9]+\\|daemonset-controller"));

        // A pod deleted by hand is replaced on its node.
        String onNodeOne = get(kubectl, ns, "pods", "{.items[?(@.spec.nodeName==\"sim-node-1\")].metadata.name}");
        ok(kubectl.run("delete", "pod", onNodeOne, "-n", ns));
        await().atMost(PATIENCE).until(() -> {
            String now = get(kubectl, ns, "pods", "{.items[?(@.spec.nodeName==\"sim-node-1\")].metadata.name}");
            return !now.isEmpty() && !now.contains(onNodeOne);
        });

        // Only nodes with the label: the others lose their pods.
        ok(kubectl.run("label", "node", "sim-node-1", "ds-test=edge"));
        ok(kubectl.run("patch", "ds", "agent", "-n", ns, "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"ds-test\":\"edge\"}}}}}"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent").equals(List.of("sim-node-1")));
        rolledOut(kubectl, ns, "agent");
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "ds/agent",
                "{.status.desiredNumberScheduled}/{.status.numberMisscheduled}").equals("1/0"));
        ok(kubectl.run("label", "node", "sim-node-2", "ds-test=edge"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent")
                .equals(List.of("sim-node-1", "sim-node-2")));

        // A NoExecute taint the template does not tolerate drives the pod off; its removal brings it back.
        ok(kubectl.run("taint", "nodes", "sim-node-2", "ds-test=drain:NoExecute"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent").equals(List.of("sim-node-1")));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "ds/agent", "{.status.desiredNumberScheduled}")
                .equals("1"));
        ok(kubectl.run("taint", "nodes", "sim-node-2", "ds-test-"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent")
                .equals(List.of("sim-node-1", "sim-node-2")));
        rolledOut(kubectl, ns, "agent");

        // A node that loses its label loses its pod.
        ok(kubectl.run("label", "node", "sim-node-1", "ds-test-"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent").equals(List.of("sim-node-2")));
        ok(kubectl.run("label", "node", "sim-node-2", "ds-test-"));
        await().atMost(PATIENCE).until(() -> podNodes(kubectl, ns, "agent").isEmpty());
        assertThat(get(kubectl, ns, "ds/agent", "{.status.desiredNumberScheduled}")).isEqualTo("0");
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void rolloutStatusHistoryAndUndo(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "ds-rollout-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(daemonSet("web", "nginx:1.25"), "apply", "-n", ns, "-f", "-"));
        rolledOut(kubectl, ns, "web");

        // Revision 1, named after the template hash that labels the pods.
        String revisions = get(kubectl, ns, "controllerrevisions", "{range .items[*]}{.metadata.name}={.revision} {end}");
        String hash = get(kubectl, ns, "pods", "{.items[0].metadata.labels.controller-revision-hash}");
        assertThat(revisions).isEqualTo("web-" + hash + "=1");
        assertThat(get(kubectl, ns, "controllerrevisions", "{.items[0].metadata.ownerReferences[0].kind}/"
                + "{.items[0].metadata.ownerReferences[0].name}/{.items[0].metadata.labels.app}")).isEqualTo("DaemonSet/web/web");
        assertThat(get(kubectl, ns, "pods", "{.items[*].metadata.labels.pod-template-generation}"))
                .isEqualTo("1 1 1");

        // A new image rolls over every node, one unavailable at a time.
        ok(kubectl.run("annotate", "ds", "web", "-n", ns, "kubernetes.io/change-cause=nginx 1.26"));
        ok(kubectl.run("set", "image", "ds/web", "-n", ns, "agent=nginx:1.26"));
        rolledOut(kubectl, ns, "web");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(kubectl, ns, "pods",
                "{range .items[?(@.metadata.deletionTimestamp)]}x{end}{.items[*].spec.containers[0].image}"))
                .isEqualTo("nginx:1.26 nginx:1.26 nginx:1.26"));
        String newHash = get(kubectl, ns, "pods", "{.items[0].metadata.labels.controller-revision-hash}");
        assertThat(newHash).isNotEqualTo(hash);
        assertThat(get(kubectl, ns, "controllerrevisions/web-" + newHash, "{.revision}")).isEqualTo("2");

        String history = ok(kubectl.run("rollout", "history", "ds/web", "-n", ns)).stdout();
        assertThat(history).containsPattern("(?m)^1\\s+<none>").containsPattern("(?m)^2\\s+nginx 1.26");
        assertThat(ok(kubectl.run("rollout", "history", "ds/web", "-n", ns, "--revision=1")).stdout())
                .contains("nginx:1.25").doesNotContain("nginx:1.26");

        // Undo: the template of revision 1 comes back, and its revision becomes 3.
        assertThat(ok(kubectl.run("rollout", "undo", "ds/web", "-n", ns)).stdout()).contains("rolled back");
        rolledOut(kubectl, ns, "web");
        assertThat(get(kubectl, ns, "ds/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.25");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(kubectl, ns, "pods",
                "{.items[*].metadata.labels.controller-revision-hash}")).isEqualTo(String.join(" ", hash, hash, hash)));
        assertThat(get(kubectl, ns, "controllerrevisions", "{range .items[*]}{.metadata.name}={.revision} {end}")
                .split(" ")).containsExactlyInAnyOrder("web-" + hash + "=3", "web-" + newHash + "=2");

        // With maxSurge the new pod starts beside the old one, which goes once the new one is available.
        ok(kubectl.run("patch", "ds", "web", "-n", ns, "-p",
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":0}}}}"));
        ok(kubectl.run("set", "image", "ds/web", "-n", ns, "agent=nginx:1.27"));
        rolledOut(kubectl, ns, "web");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(kubectl, ns, "pods",
                "{range .items[?(@.metadata.deletionTimestamp)]}x{end}{.items[*].spec.containers[0].image}"))
                .isEqualTo("nginx:1.27 nginx:1.27 nginx:1.27"));
        assertThat(get(kubectl, ns, "ds/web", "{.status.updatedNumberScheduled}/{.status.numberAvailable}"))
                .isEqualTo("3/3");
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @Test
    void onDeleteUpdatesOnlyPodsDeletedByHand() throws Exception {
        Kubectl kubectl = kubectl("33");
        String ns = "ds-ondelete";
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(daemonSet("web", "nginx:1.25").replace("spec:\n  selector",
                "spec:\n  updateStrategy: {type: OnDelete}\n  selector"), "apply", "-n", ns, "-f", "-"));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "ds/web", "{.status.numberReady}").equals("3"));

        ok(kubectl.run("set", "image", "ds/web", "-n", ns, "agent=nginx:1.26"));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "ds/web",
                "{.status.observedGeneration}/{.status.updatedNumberScheduled}").equals("2/"));
        String onNodeZero = get(kubectl, ns, "pods", "{.items[?(@.spec.nodeName==\"sim-node-0\")].metadata.name}");
        ok(kubectl.run("delete", "pod", onNodeZero, "-n", ns));
        await().atMost(PATIENCE).until(() -> get(kubectl, ns, "ds/web", "{.status.updatedNumberScheduled}")
                .equals("1"));
        assertThat(get(kubectl, ns, "pods", "{.items[?(@.spec.nodeName==\"sim-node-0\")].spec.containers[0].image}"))
                .isEqualTo("nginx:1.26");
        assertThat(get(kubectl, ns, "pods", "{.items[?(@.spec.nodeName==\"sim-node-1\")].spec.containers[0].image}"))
                .isEqualTo("nginx:1.25");
        Kubectl.Result status = kubectl.run("rollout", "status", "ds/web", "-n", ns);
        assertThat(status.exitCode()).isNotZero();
        assertThat(status.stderr()).contains("rollout status is only available for RollingUpdate strategy type");
        ok(kubectl.run("delete", "namespace", ns, "--wait=false"));
    }

    @Test
    void anInvalidDaemonSetIsRefusedWith422() throws Exception {
        Kubectl kubectl = kubectl("33");
        Kubectl.Result result = kubectl.runWithInput(daemonSet("bad", "nginx").replace("labels: {app: bad}",
                "labels: {app: other}"), "create", "-n", "default", "-f", "-");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("The DaemonSet \"bad\" is invalid")
                .contains("`selector` does not match template `labels`");
        assertThat(kubectl.run("get", "ds", "bad", "-n", "default").exitCode()).isNotZero();
    }
}
