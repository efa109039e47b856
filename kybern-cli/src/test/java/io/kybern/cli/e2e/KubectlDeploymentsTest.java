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
 * The seeds' Deployment scenario with the real kubectl on a server with simulated nodes: create, a
 * rolling update within maxSurge 2 / maxUnavailable 1, rollout status, history and undo, pause and resume,
 * scaling, and a ReplicaSet scaled by hand that its Deployment puts back.
 */
@TestServers.WithSimulatedNodes(3)
class KubectlDeploymentsTest extends ServerPerClass {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static String get(Kubectl kubectl, String ns, String what, String jsonpath) throws Exception {
        return ok(kubectl.run("get", what, "-n", ns, "-o", "jsonpath=" + jsonpath)).stdout().trim();
    }

    /** The running pods with app=web not being deleted. */
    private static List<String> livePods(Kubectl kubectl, String ns) throws Exception {
        String out = get(kubectl, ns, "pods", "{range .items[*]}{.metadata.name}:{.metadata.deletionTimestamp}:"
                + "{.status.phase}{\" \"}{end}");
        return Arrays.stream(out.split(" ")).filter(p -> p.endsWith("::Running")).map(p -> p.split(":")[0]).toList();
    }

    /** The Deployment's ReplicaSets as {@code name=spec.replicas}. */
    private static List<String> replicaSets(Kubectl kubectl, String ns) throws Exception {
        String out = get(kubectl, ns, "rs", "{range .items[*]}{.metadata.name}={.spec.replicas}{\" \"}{end}");
        return Arrays.stream(out.split(" ")).filter(s -> !s.isEmpty()).toList();
    }

    private static void rolledOut(Kubectl kubectl, String ns) throws Exception {
        String status = ok(kubectl.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s")).stdout();
        assertThat(status).contains("deployment \"web\" successfully rolled out");
    }

    private static String image(Kubectl kubectl, String ns) throws Exception {
        return get(kubectl, ns, "deployment/web", "{.spec.template.spec.containers[0].image}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void theSeedsDeploymentScenario(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "deploy-" + minor;
        ok(kubectl.run("create", "namespace", ns));

        // Create 4 replicas, then the seeds' strategy.
        ok(kubectl.run("create", "deployment", "web", "-n", ns, "--image=nginx:1.25", "--replicas=4"));
        ok(kubectl.run("patch", "deployment", "web", "-n", ns, "-p",
                "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":2,\"maxUnavailable\":1}}}}"));
        rolledOut(kubectl, ns);
        List<String> firstSets = replicaSets(kubectl, ns);
        assertThat(firstSets).hasSize(1);
        String firstRs = firstSets.getFirst().split("=")[0];
        String hash = get(kubectl, ns, "rs/" + firstRs, "{.metadata.labels.pod-template-hash}");
        assertThat(firstRs).isEqualTo("web-" + hash);
        assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]+");
        assertThat(get(kubectl, ns, "rs/" + firstRs, "{.spec.selector.matchLabels.pod-template-hash}")).isEqualTo(hash);
        assertThat(get(kubectl, ns, "rs/" + firstRs, "{.metadata.annotations.deployment\\.kubernetes\\.io/revision}"))
                .isEqualTo("1");
        assertThat(get(kubectl, ns, "rs/" + firstRs,
                "{.metadata.annotations.deployment\\.kubernetes\\.io/desired-replicas}")).isEqualTo("4");
        assertThat(get(kubectl, ns, "rs/" + firstRs,
                "{.metadata.annotations.deployment\\.kubernetes\\.io/max-replicas}")).isEqualTo("6");
        assertThat(get(kubectl, ns, "deployment/web", "{.status.readyReplicas}/{.status.availableReplicas}"))
                .isEqualTo("4/4");
        assertThat(get(kubectl, ns, "deployment/web",
                "{.metadata.managedFields[?(@.subresource==\"status\")].manager}")).isEqualTo("kube-controller-manager");
        String columns = ok(kubectl.run("get", "deployment", "web", "-n", ns)).stdout();
        assertThat(columns).containsPattern("web\\s+4/4\\s+4\\s+4\\s+");

        // A deleted pod is replaced.
        List<String> pods = livePods(kubectl, ns);
        assertThat(pods).hasSize(4);
        ok(kubectl.run("delete", "pod", pods.getFirst(), "-n", ns));
        await().atMost(PATIENCE).until(() -> {
            List<String> now = livePods(kubectl, ns);
            return now.size() == 4 && !now.contains(pods.getFirst());
        });

        // A new image: a second ReplicaSet takes over, the first is scaled to zero and kept.
        // As in Kubernetes, the change-cause goes to whichever ReplicaSet is new when it is set: after set image.
        ok(kubectl.run("set", "image", "deployment/web", "-n", ns, "nginx=nginx:1.26"));
        ok(kubectl.run("annotate", "deployment", "web", "-n", ns, "kubernetes.io/change-cause=nginx 1.26"));
        rolledOut(kubectl, ns);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets(kubectl, ns))
                .hasSize(2).contains(firstRs + "=0"));
        String secondRs = replicaSets(kubectl, ns).stream().filter(s -> !s.startsWith(firstRs + "=")).findFirst()
                .orElseThrow().split("=")[0];
        assertThat(get(kubectl, ns, "rs/" + secondRs, "{.spec.replicas}")).isEqualTo("4");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(kubectl, ns, "rs/" + secondRs,
                "{.metadata.annotations.kubernetes\\.io/change-cause}")).isEqualTo("nginx 1.26"));
        assertThat(get(kubectl, ns, "rs/" + firstRs, "{.metadata.annotations.kubernetes\\.io/change-cause}")).isEmpty();
        String events = ok(kubectl.run("get", "events", "-n", ns, "--field-selector",
                "involvedObject.kind=Deployment,reason=ScalingReplicaSet", "-o",
                "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}")).stdout();
        assertThat(events).contains("Scaled up replica set " + firstRs + " from 0 to 4")
                .contains("Scaled up replica set " + secondRs + " from 0 to 2")
                .containsPattern("Scaled down replica set " + firstRs + " from 4 to 3");
        assertThat(get(kubectl, ns, "deployment/web",
                "{.status.conditions[?(@.type==\"Progressing\")].reason}")).isEqualTo("NewReplicaSetAvailable");
        assertThat(get(kubectl, ns, "deployment/web",
                "{.status.conditions[?(@.type==\"Available\")].reason}")).isEqualTo("MinimumReplicasAvailable");

        // History: two revisions, the second with its change-cause; and one revision's template.
        String history = ok(kubectl.run("rollout", "history", "deployment/web", "-n", ns)).stdout();
        assertThat(history).containsPattern("(?m)^1\\s+<none>").containsPattern("(?m)^2\\s+nginx 1.26");
        String revisionOne = ok(kubectl.run("rollout", "history", "deployment/web", "-n", ns, "--revision=1"))
                .stdout();
        assertThat(revisionOne).contains("revision #1").contains("nginx:1.25").doesNotContain("nginx:1.26");

        // Undo to revision 1: the first ReplicaSet comes back as revision 3.
        ok(kubectl.run("rollout", "undo", "deployment/web", "-n", ns, "--to-revision=1"));
        rolledOut(kubectl, ns);
        assertThat(image(kubectl, ns)).isEqualTo("nginx:1.25");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets(kubectl, ns))
                .containsExactlyInAnyOrder(firstRs + "=4", secondRs + "=0"));
        assertThat(get(kubectl, ns, "rs/" + firstRs, "{.metadata.annotations.deployment\\.kubernetes\\.io/revision}"))
                .isEqualTo("3");
        assertThat(get(kubectl, ns, "rs/" + firstRs,
                "{.metadata.annotations.deployment\\.kubernetes\\.io/revision-history}")).isEqualTo("1");

        // Paused: a new image makes no new ReplicaSet until resumed.
        ok(kubectl.run("rollout", "pause", "deployment/web", "-n", ns));
        ok(kubectl.run("set", "image", "deployment/web", "-n", ns, "nginx=nginx:1.27"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(kubectl, ns, "deployment/web",
                "{.status.conditions[?(@.type==\"Progressing\")].reason}")).isEqualTo("DeploymentPaused"));
        assertThat(replicaSets(kubectl, ns)).hasSize(2);
        ok(kubectl.run("rollout", "resume", "deployment/web", "-n", ns));
        rolledOut(kubectl, ns);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets(kubectl, ns)).hasSize(3));

        // Scale to 10 and back to 4.
        ok(kubectl.run("scale", "deployment/web", "-n", ns, "--replicas=10"));
        await().atMost(PATIENCE).until(() -> livePods(kubectl, ns).size() == 10);
        rolledOut(kubectl, ns);
        ok(kubectl.run("scale", "deployment/web", "-n", ns, "--replicas=4"));
        await().atMost(PATIENCE).until(() -> livePods(kubectl, ns).size() == 4);
        assertThat(get(kubectl, ns, "deployment/web", "{.status.replicas}")).isEqualTo("4");

        // A ReplicaSet scaled by hand is put back by its Deployment.
        String current = replicaSets(kubectl, ns).stream().filter(s -> s.endsWith("=4")).findFirst().orElseThrow()
                .split("=")[0];
        ok(kubectl.run("scale", "rs", current, "-n", ns, "--replicas=1"));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(get(kubectl, ns, "rs/" + current, "{.spec.replicas}")).isEqualTo("4");
            assertThat(livePods(kubectl, ns)).hasSize(4);
        });
        rolledOut(kubectl, ns);
    }
}
