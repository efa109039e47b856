package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Subresources and review APIs through the real kubectl: scale, binding, eviction with a disruption
 * budget, {@code auth can-i} and {@code auth whoami}, and the clear answer of subresources that need a
 * node agent.
 */
class KubectlSubresourcesTest extends ServerPerClass {

    private static void create(Kubectl kubectl, String manifest) throws Exception {
        Kubectl.Result created = kubectl.runWithInput(manifest, "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void scaleChangesReplicasThroughTheScaleSubresource(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String name = "scaled-" + minor;
        create(kubectl, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec: {containers: [{name: c, image: busybox}]}
                """.formatted(name, name, name));

        Kubectl.Result scaled = kubectl.run("scale", "deployment", name, "--replicas=4");
        assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
        assertThat(scaled.stdout()).contains("deployment.apps/" + name + " scaled");
        assertThat(kubectl.run("get", "deployment", name, "-o",
                "jsonpath={.spec.replicas} {.metadata.generation}").stdout()).isEqualTo("4 2");

        Kubectl.Result scale = kubectl.run("get", "--raw",
                "/apis/apps/v1/namespaces/default/deployments/" + name + "/scale");
        assertThat(scale.stdout()).contains("\"kind\":\"Scale\"").contains("\"apiVersion\":\"autoscaling/v1\"")
                .contains("\"spec\":{\"replicas\":4}").contains("\"selector\":\"app=" + name + "\"");

        String staleScale = scale.stdout().replaceFirst("\"resourceVersion\":\"\\d+\"", "\"resourceVersion\":\"1\"")
                .replace("\"replicas\":4}", "\"replicas\":1}");
        // The server's answer does not depend on the client; 1.27's replace --raw predates PUT support.
        Kubectl.Result stale = kubectl("33").runWithInput(staleScale, "replace", "--raw",
                "/apis/apps/v1/namespaces/default/deployments/" + name + "/scale", "-f", "-");
        assertThat(stale.exitCode()).isNotZero();
        assertThat(stale.stderr()).contains("the object has been modified");
        Kubectl.Result negative = kubectl.run("scale", "deployment", name, "--replicas=-1");
        assertThat(negative.exitCode()).isNotZero();
        assertThat(kubectl.run("get", "deployment", name, "-o", "jsonpath={.spec.replicas}").stdout())
                .isEqualTo("4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aBindingAssignsAPodOnceAndEvictionRespectsItsBudget(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String pod = "bound-" + minor;
        create(kubectl, """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, labels: {app: guarded-%s}}
                spec: {containers: [{name: c, image: busybox}]}
                """.formatted(pod, minor));

        Kubectl.Result logs = kubectl.run("logs", pod);
        assertThat(logs.exitCode()).isNotZero();
        assertThat(logs.stderr()).contains("pod " + pod + " does not have a host assigned");

        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod
                + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-a\"}}";
        Kubectl.Result bound = kubectl.runWithInput(binding, "create", "--raw",
                "/api/v1/namespaces/default/pods/" + pod + "/binding", "-f", "-");
        assertThat(bound.exitCode()).as(bound.toString()).isZero();
        assertThat(kubectl.run("get", "pod", pod, "-o",
                "jsonpath={.spec.nodeName} {.status.conditions[?(@.type==\"PodScheduled\")].status}").stdout())
                .isEqualTo("node-a True");
        Kubectl.Result again = kubectl.runWithInput(binding.replace("node-a", "node-b"), "create", "--raw",
                "/api/v1/namespaces/default/pods/" + pod + "/binding", "-f", "-");
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.stderr()).contains("pod " + pod + " is already assigned to node \"node-a\"");

        // Logs come from the node's agent: a node that does not exist is a 404, as in Kubernetes.
        Kubectl.Result agentLogs = kubectl.run("logs", pod);
        assertThat(agentLogs.exitCode()).isNotZero();
        assertThat(agentLogs.stderr()).contains("nodes \"node-a\" not found");

        // A running, ready pod under a budget that allows no disruption stays: the disruption controller
        // finds 1 healthy pod of the 1 wanted.
        assertThat(kubectl.run("patch", "pod", pod, "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}")
                .exitCode()).isZero();
        create(kubectl, """
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: guard-%s}
                spec: {minAvailable: 1, selector: {matchLabels: {app: guarded-%s}}}
                """.formatted(minor, minor));
        String budget = "jsonpath={.status.observedGeneration} {.status.currentHealthy}/{.status.desiredHealthy} "
                + "{.status.disruptionsAllowed}";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "pdb",
                "guard-" + minor, "-o", budget).stdout()).isEqualTo("1 1/1 0"));
        String eviction = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + pod
                + "\"}}";
        Kubectl.Result refused = kubectl.runWithInput(eviction, "create", "--raw",
                "/api/v1/namespaces/default/pods/" + pod + "/eviction", "-f", "-");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(kubectl.run("get", "pod", pod).exitCode()).isZero();

        // Needing no healthy pod, the budget allows one eviction.
        assertThat(kubectl.run("patch", "pdb", "guard-" + minor, "--type=merge", "-p",
                "{\"spec\":{\"minAvailable\":0}}").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "pdb",
                "guard-" + minor, "-o", budget).stdout()).isEqualTo("2 1/0 1"));
        Kubectl.Result evicted = kubectl.runWithInput(eviction, "create", "--raw",
                "/api/v1/namespaces/default/pods/" + pod + "/eviction", "-f", "-");
        assertThat(evicted.exitCode()).as(evicted.toString()).isZero();
        // The pod runs on a node, so its deletion starts with its grace period; the node's agent ends it.
        assertThat(kubectl.run("get", "pod", pod, "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}").stdout())
                .isEqualTo("30");
        // Spent by the eviction, and not given back: the pod being deleted is no longer healthy.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "pdb",
                "guard-" + minor, "-o", budget).stdout()).isEqualTo("2 0/0 0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void theAdminCanDoAnythingAndKnowsWhoItIs(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);

        Kubectl.Result canI = kubectl.run("auth", "can-i", "create", "deployments", "-n", "kube-system");
        assertThat(canI.stdout()).as(canI.toString()).isEqualTo("yes\n");
        Kubectl.Result list = kubectl.run("auth", "can-i", "--list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).containsPattern("\\*\\.\\*\\s+\\[\\]\\s+\\[\\]\\s+\\[\\*\\]");
        if (!minor.equals("27")) {
            Kubectl.Result whoami = kubectl.run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
            assertThat(whoami.stdout()).as(whoami.toString()).isEqualTo("system:admin");
        }
        // Reviews are answers, not objects: nothing of them is stored.
        assertThat(kubectl.run("get", "--raw", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
                .exitCode()).isNotZero();
    }
}
