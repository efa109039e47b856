package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kybern.cli.MovableClock;
import io.kybern.cli.TestServers;
import io.kybern.kubelet.sim.SimulatedNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code kybern server --simulated-nodes 3} seen through fabric8: nodes that register Ready and heartbeat,
 * pods that run, turn Ready as scripted, complete and go; and a stopped node's lifecycle (Unknown,
 * tainted, its pods evicted after their tolerationSeconds, their ReplicaSet replacing them). The server's
 * controllers and nodes share a {@link MovableClock}, so the 40 s of silence are skipped, not waited for.
 * The scheduler runs too: the ReplicaSet's replacements land on the nodes still up.
 */
@TestServers.WithSimulatedNodes(3)
class SimulatedNodesTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final List<String> NODES = List.of("sim-node-0", "sim-node-1", "sim-node-2");

    private static String readyStatus(Node node) {
        return condition(node, "Ready").map(NodeCondition::getStatus).orElse("absent");
    }

    private static java.util.Optional<NodeCondition> condition(Node node, String type) {
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static String podCondition(Pod pod, String type) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? "absent"
                : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
                        .map(PodCondition::getStatus).findFirst().orElse("absent");
    }

    private static Pod pod(String ns, String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    private static PodBuilder podOn(String node, String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("nginx:1.27")
                .endContainer().endSpec();
    }

    private static void advance(Duration total) {
        server.advance(clock, total);
    }

    @Test
    void theNodesRegisterReadyWithTheirCapacityLabelsAndLeases() {
        List<Node> nodes = client.nodes().withLabel("kybern.io/simulated", "true").list().getItems();

        assertThat(nodes).extracting(n -> n.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(NODES);
        for (Node node : nodes) {
            String name = node.getMetadata().getName();
            assertThat(readyStatus(node)).isEqualTo("True");
            assertThat(condition(node, "Ready").orElseThrow().getReason()).isEqualTo("KubeletReady");
            assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", name)
                    .containsEntry("kubernetes.io/os", "linux").containsEntry("kubernetes.io/arch", "amd64");
            assertThat(node.getStatus().getCapacity().get("cpu").toString()).isEqualTo("4");
            assertThat(node.getStatus().getCapacity().get("memory").toString()).isEqualTo("16Gi");
            assertThat(node.getStatus().getAllocatable().get("pods").toString()).isEqualTo("110");
            assertThat(node.getStatus().getNodeInfo().getKubeletVersion())
                    .isEqualTo(client.getKubernetesVersion().getGitVersion());
            assertThat(node.getStatus().getAddresses()).extracting(a -> a.getType())
                    .containsExactly("InternalIP", "Hostname");
            Lease lease = client.leases().inNamespace("kube-node-lease").withName(name).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(name);
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
            assertThat(lease.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(node.getMetadata().getUid()));
        }
    }

    @Test
    void leasesAreRenewedEveryTenSecondsOfTheClock() {
        Instant before = client.leases().inNamespace("kube-node-lease").withName("sim-node-0").get().getSpec()
                .getRenewTime().toInstant();

        clock.advance(Duration.ofSeconds(10));

        await().atMost(PATIENCE).until(() -> client.leases().inNamespace("kube-node-lease").withName("sim-node-0")
                .get().getSpec().getRenewTime().toInstant().isAfter(before));
    }

    @Test
    void aPodOnANodeRunsAndIsReadyWithContainerStatusesAndAnAddressOfItsNode() {
        String ns = Fabric8.namespace(client, "sim-run");
        client.pods().inNamespace(ns).resource(podOn("sim-node-0", "web", Map.of()).build()).create();

        await().atMost(PATIENCE).until(() -> "True".equals(podCondition(pod(ns, "web"), "Ready")));

        Pod pod = pod(ns, "web");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(podCondition(pod, "ContainersReady")).isEqualTo("True");
        assertThat(pod.getStatus().getPodIP()).startsWith("10.42.0.");
        assertThat(pod.getStatus().getHostIP()).isEqualTo("100.64.0.1");
        ContainerStatus app = pod.getStatus().getContainerStatuses().get(0);
        assertThat(app.getReady()).isTrue();
        assertThat(app.getRestartCount()).isZero();
        assertThat(app.getState().getRunning()).isNotNull();
        assertThat(app.getContainerID()).startsWith("kybern-sim://");
        assertThat(app.getImage()).isEqualTo("docker.io/library/nginx:1.27");
        assertThat(app.getImageID()).startsWith("docker.io/library/nginx@sha256:");
    }

    @Test
    void aPodBoundThroughTheBindingSubresourceRuns() {
        String ns = Fabric8.namespace(client, "sim-bind");
        // Another scheduler's pod: the server's own leaves it to the binding below.
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("bound").endMetadata()
                .withNewSpec().withSchedulerName("by-hand").addNewContainer().withName("app").withImage("nginx")
                .endContainer().endSpec().build()).create();
        assertThat(pod(ns, "bound").getStatus().getPhase()).isEqualTo("Pending");

        client.bindings().inNamespace(ns).resource(new BindingBuilder().withNewMetadata().withName("bound")
                .endMetadata().withNewTarget().withKind("Node").withName("sim-node-1").endTarget().build()).create();

        await().atMost(PATIENCE).until(() -> "Running".equals(pod(ns, "bound").getStatus().getPhase()));
        assertThat(pod(ns, "bound").getStatus().getPodIP()).startsWith("10.42.1.");
    }

    @Test
    void podsThatAreNotRestartedCompleteWithTheirExitCode() {
        String ns = Fabric8.namespace(client, "sim-jobs");
        client.pods().inNamespace(ns).resource(podOn("sim-node-0", "once", Map.of()).editSpec()
                .withRestartPolicy("Never").endSpec().build()).create();
        client.pods().inNamespace(ns).resource(podOn("sim-node-1", "fails", Map.of("sim.kybern.io/exit-code", "2"))
                .editSpec().withRestartPolicy("OnFailure").endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> "Succeeded".equals(pod(ns, "once").getStatus().getPhase()));
        await().atMost(PATIENCE).until(() -> "Failed".equals(pod(ns, "fails").getStatus().getPhase()));

        assertThat(pod(ns, "once").getStatus().getContainerStatuses().get(0).getState().getTerminated()
                .getExitCode()).isZero();
        assertThat(pod(ns, "fails").getStatus().getContainerStatuses().get(0).getState().getTerminated()
                .getExitCode()).isEqualTo(2);
        assertThat(podCondition(pod(ns, "once"), "Ready")).isEqualTo("False");
    }

    @Test
    void readinessFollowsTheAnnotations() {
        String ns = Fabric8.namespace(client, "sim-ready");
        client.pods().inNamespace(ns).resource(podOn("sim-node-1", "slow", Map.of("sim.kybern.io/ready-after", "30s"))
                .build()).create();
        client.pods().inNamespace(ns).resource(podOn("sim-node-1", "never", Map.of("sim.kybern.io/ready", "false"))
                .build()).create();
        await().atMost(PATIENCE).until(() -> "Running".equals(pod(ns, "slow").getStatus().getPhase())
                && "Running".equals(pod(ns, "never").getStatus().getPhase()));
        assertThat(podCondition(pod(ns, "slow"), "Ready")).isEqualTo("False");
        assertThat(podCondition(pod(ns, "never"), "Ready")).isEqualTo("False");

        advance(Duration.ofSeconds(30));

        await().atMost(PATIENCE).until(() -> "True".equals(podCondition(pod(ns, "slow"), "Ready")));
        assertThat(podCondition(pod(ns, "never"), "Ready")).isEqualTo("False");
        assertThat(pod(ns, "never").getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getMessage())
                .isEqualTo("containers with unready status: [app]");
    }

    @Test
    void aDeletedPodIsFinishedAndRemovedByItsNode() {
        String ns = Fabric8.namespace(client, "sim-delete");
        client.pods().inNamespace(ns).resource(podOn("sim-node-0", "doomed", Map.of()).build()).create();
        await().atMost(PATIENCE).until(() -> "Running".equals(pod(ns, "doomed").getStatus().getPhase()));

        client.pods().inNamespace(ns).withName("doomed").delete(); // the default 30 s grace

        await().atMost(PATIENCE).until(() -> pod(ns, "doomed") == null);
    }

    private static Toleration unreachableFor(long seconds) {
        return new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(seconds).build();
    }

    private static void cordon(String node, boolean unschedulable) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(unschedulable)
                .endSpec().build());
    }

    private static Set<String> podNames(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream().filter(p -> p.getMetadata()
                .getDeletionTimestamp() == null).map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    @Test
    void aStoppedNodeBecomesUnknownIsTaintedLosesItsPodsAndComesBack() {
        String ns = Fabric8.namespace(client, "sim-lifecycle");
        // The other nodes cordoned, so the scheduler puts the ReplicaSet's pods on the node about to stop.
        cordon("sim-node-0", true);
        cordon("sim-node-1", true);
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("nginx").endContainer().withTolerations(unreachableFor(2)).endSpec().endTemplate()
                .endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> podNames(ns).size() == 2 && podNames(ns).stream()
                .allMatch(name -> "sim-node-2".equals(pod(ns, name).getSpec().getNodeName())));
        Set<String> original = podNames(ns);
        cordon("sim-node-0", false);
        cordon("sim-node-1", false);
        client.pods().inNamespace(ns).resource(podOn("sim-node-2", "patient", Map.of()).editSpec()
                .withTolerations(unreachableFor(20)).endSpec().build()).create();
        client.pods().inNamespace(ns).resource(podOn("sim-node-2", "forever", Map.of()).editSpec()
                .withTolerations(new TolerationBuilder().withKey("node.kubernetes.io/unreachable")
                        .withOperator("Exists").withEffect("NoExecute").build()).endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).list().getItems().stream()
                .allMatch(p -> "True".equals(podCondition(p, "Ready"))));

        SimulatedNode node = server.simulatedNodes().node("sim-node-2");
        node.stop();
        assertThat(client.nodes().withName("sim-node-2").get().getMetadata().getAnnotations())
                .containsEntry("sim.kybern.io/stopped", "true");
        advance(Duration.ofSeconds(45));

        await().atMost(PATIENCE).until(() -> "Unknown".equals(readyStatus(client.nodes().withName("sim-node-2").get())));
        Node silent = client.nodes().withName("sim-node-2").get();
        NodeCondition ready = condition(silent, "Ready").orElseThrow();
        assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(condition(silent, "MemoryPressure").orElseThrow().getStatus()).isEqualTo("Unknown");
        await().atMost(PATIENCE).until(() -> client.nodes().withName("sim-node-2").get().getSpec().getTaints()
                .size() == 2);
        assertThat(client.nodes().withName("sim-node-2").get().getSpec().getTaints())
                .extracting(Taint::getKey, Taint::getEffect).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoSchedule"),
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
        for (String other : List.of("sim-node-0", "sim-node-1")) {
            Node running = client.nodes().withName(other).get();
            assertThat(readyStatus(running)).as(other).isEqualTo("True");
            assertThat(running.getSpec().getTaints()).as(other).isNullOrEmpty();
        }
        await().atMost(PATIENCE).until(() -> client.v1().events().inAnyNamespace().list().getItems().stream()
                .anyMatch(e -> "NodeNotReady".equals(e.getReason())
                        && "sim-node-2".equals(e.getInvolvedObject().getName())));
        await("pods of a node that is not ready are not ready")
                .atMost(PATIENCE).until(() -> "False".equals(podCondition(pod(ns, "forever"), "Ready")));

        // 2 s of toleration: the ReplicaSet's pods go (forced once their grace is over, as the node cannot
        // finish them), and the ReplicaSet makes new ones, which the scheduler puts on the nodes still up.
        advance(Duration.ofSeconds(5));
        await().atMost(PATIENCE).until(() -> original.stream().noneMatch(name -> pod(ns, name) != null));
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).withLabel("app", "web").list().getItems()
                .size() == 2);
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).withLabel("app", "web").list().getItems()
                .stream().allMatch(p -> "Running".equals(p.getStatus().getPhase())));
        for (Pod replacement : client.pods().inNamespace(ns).withLabel("app", "web").list().getItems()) {
            assertThat(original).doesNotContain(replacement.getMetadata().getName());
            assertThat(replacement.getSpec().getNodeName()).isIn("sim-node-0", "sim-node-1");
        }
        List<Event> evictions = client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "TaintManagerEviction".equals(e.getReason())).toList();
        assertThat(evictions).extracting(Event::getMessage).contains(original.stream()
                .map(name -> "Marking for deletion Pod " + ns + "/" + name).toArray(String[]::new));
        assertThat(pod(ns, "patient")).as("tolerates 20 s").isNotNull();
        assertThat(pod(ns, "patient").getMetadata().getDeletionTimestamp()).isNull();

        advance(Duration.ofSeconds(20));
        await().atMost(PATIENCE).until(() -> pod(ns, "patient") == null);
        assertThat(pod(ns, "forever")).as("tolerates the taint with no limit").isNotNull();
        assertThat(pod(ns, "forever").getMetadata().getDeletionTimestamp()).isNull();
        assertThat(rs.getMetadata().getName()).isEqualTo("web");

        node.start();
        await().atMost(PATIENCE).until(() -> "True".equals(readyStatus(client.nodes().withName("sim-node-2").get())));
        await().atMost(PATIENCE).until(() -> {
            List<Taint> taints = client.nodes().withName("sim-node-2").get().getSpec().getTaints();
            return taints == null || taints.isEmpty();
        });
        assertThat(client.nodes().withName("sim-node-2").get().getMetadata().getAnnotations())
                .doesNotContainKey("sim.kybern.io/stopped");
        await("its node looks after it again")
                .atMost(PATIENCE).until(() -> "True".equals(podCondition(pod(ns, "forever"), "Ready")));
    }

    @Test
    void aNoExecuteTaintAddedByAUserEvictsThePodsThatDoNotTolerateIt() {
        String ns = Fabric8.namespace(client, "sim-user-taint");
        client.pods().inNamespace(ns).resource(podOn("sim-node-1", "intolerant", Map.of()).build()).create();
        client.pods().inNamespace(ns).resource(podOn("sim-node-1", "tolerant", Map.of()).editSpec()
                .withTolerations(new TolerationBuilder().withKey("maintenance").withOperator("Exists")
                        .withEffect("NoExecute").build()).endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> "True".equals(podCondition(pod(ns, "intolerant"), "Ready"))
                && "True".equals(podCondition(pod(ns, "tolerant"), "Ready")));

        client.nodes().withName("sim-node-1").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n).editSpec()
                .addNewTaint().withKey("maintenance").withValue("true").withEffect("NoExecute").endTaint().endSpec()
                .build());
        try {
            // Evicted at once, gracefully; the running node finishes the deletion.
            await().atMost(PATIENCE).until(() -> pod(ns, "intolerant") == null);
            assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("TaintManagerEviction");
                assertThat(e.getMessage()).isEqualTo("Marking for deletion Pod " + ns + "/intolerant");
                assertThat(e.getSource().getComponent()).isEqualTo("taint-eviction-controller");
            });
            assertThat(pod(ns, "tolerant").getMetadata().getDeletionTimestamp()).isNull();
        } finally {
            client.nodes().withName("sim-node-1").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n)
                    .editSpec().withTaints(n.getSpec().getTaints().stream()
                            .filter(t -> !"maintenance".equals(t.getKey())).toList()).endSpec().build());
        }
    }

    @Test
    void podsBoundToANodeThatDoesNotExistAreCollected() {
        String ns = Fabric8.namespace(client, "sim-orphans");
        client.pods().inNamespace(ns).resource(podOn("no-such-node", "orphan", Map.of()).build()).create();

        advance(Duration.ofSeconds(20));
        assertThat(pod(ns, "orphan")).as("still in quarantine: the node may only be late").isNotNull();
        advance(Duration.ofSeconds(25));

        await().atMost(PATIENCE).until(() -> pod(ns, "orphan") == null);
    }
}
