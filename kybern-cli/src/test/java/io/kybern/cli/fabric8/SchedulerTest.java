package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler a {@code kybern server} runs, seen through fabric8: Node objects created through the API
 * (allocatable and the Ready condition written through the status subresource), pods bound to the node
 * Kubernetes would pick, FailedScheduling events and conditions worded as Kubernetes words them, pods
 * requeued when a node arrives, preemption by priority, and pods of other schedulers left alone. Each test
 * deletes its pods and nodes, so the next starts from none.
 */
class SchedulerTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @AfterEach
    void deletePodsAndNodes() {
        // A pod a test leaves pending would be scheduled onto the next test's nodes, and a critical one would
        // preempt that test's pods. No node agent finishes a graceful deletion here: the pods go at once.
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        }
        await().atMost(PATIENCE).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
        client.nodes().delete();
        await().atMost(PATIENCE).until(() -> client.nodes().list().getItems().isEmpty());
    }

    private static Node node(String name, String cpu, String memory, boolean controlPlane) {
        NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("kubernetes.io/hostname", name)).endMetadata().withNewSpec().endSpec();
        if (controlPlane) {
            builder.editSpec().withTaints(new TaintBuilder().withKey("node-role.kubernetes.io/control-plane")
                    .withEffect("NoSchedule").build()).endSpec();
        }
        client.nodes().resource(builder.build()).create();
        Map<String, Quantity> resources = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                "pods", new Quantity("110"));
        // The node lifecycle controller writes a new node's status too: read it afresh until the write lands.
        return Fabric8.retryOnConflict(() -> {
            Node created = client.nodes().withName(name).get();
            created.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().withCapacity(resources)
                    .withAllocatable(resources).withConditions(new NodeConditionBuilder().withType("Ready")
                            .withStatus("True").withReason("KubeletReady")
                            .withMessage("kubelet is posting ready status").build()).build());
            return client.nodes().resource(created).updateStatus();
        });
    }

    private static Pod pod(String namespace, String name, String cpu) {
        return client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu))).endResources().endContainer().endSpec().build())
                .create();
    }

    private static String nodeOf(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        return pod == null ? null : pod.getSpec().getNodeName();
    }

    private static List<Event> events(String namespace, String object, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    private static PodCondition scheduledCondition(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        return pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst()
                .orElse(null);
    }

    @Test
    void theServersSchedulerAndControllersKeepOneCacheOfThePodsAndNodes() {
        var shared = server.server().sharedInformers();
        await().atMost(PATIENCE).until(() -> shared.shares(Pod.class) == 2);
        assertThat(shared.shares(Node.class)).as("the scheduler's and the controllers'").isEqualTo(2);
        assertThat(shared.shares(ReplicaSet.class))
                .as("the controllers' alone").isEqualTo(1);
    }

    @Test
    void aTenCpuPodLandsOnTheNodeWithTheMostFreeCpus() {
        String ns = Fabric8.namespace(client, "sched-seed");
        node("four-a", "4", "16Gi", false);
        node("four-b", "4", "16Gi", false);
        node("twelve", "12", "16Gi", false);
        node("sixteen", "16", "16Gi", false);
        // The scheduler's node and pod caches are two watches: a pod created right after the nodes may reach it
        // before the last node does. A canary that fits only the last node shows the scheduler knows them all
        // (nodes arrive in the order they were created); it goes before the pod under test comes.
        pod(ns, "canary", "13");
        await().atMost(PATIENCE).until(() -> "sixteen".equals(nodeOf(ns, "canary")));
        client.pods().inNamespace(ns).withName("canary").withGracePeriod(0).delete();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).withName("canary").get() == null);

        pod(ns, "big", "10");

        await().atMost(PATIENCE).until(() -> nodeOf(ns, "big") != null);
        assertThat(nodeOf(ns, "big")).isEqualTo("sixteen");
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<Event> scheduled = events(ns, "big", "Scheduled");
            assertThat(scheduled).hasSize(1);
            assertThat(scheduled.getFirst().getMessage()).isEqualTo("Successfully assigned " + ns + "/big to sixteen");
            assertThat(scheduled.getFirst().getType()).isEqualTo("Normal");
            assertThat(scheduled.getFirst().getSource().getComponent()).isEqualTo("default-scheduler");
        });
        assertThat(scheduledCondition(ns, "big").getStatus()).isEqualTo("True");
    }

    @Test
    void assumedPodsCountSoConsecutivePodsFillNodesWithoutOverbooking() {
        String ns = Fabric8.namespace(client, "sched-fill");
        node("w1", "2", "16Gi", false);
        node("w2", "2", "16Gi", false);
        for (int i = 0; i < 5; i++) {
            pod(ns, "p" + i, "1");
        }
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName() != null).count() == 4);
        List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
        assertThat(pods.stream().filter(p -> "w1".equals(p.getSpec().getNodeName()))).hasSize(2);
        assertThat(pods.stream().filter(p -> "w2".equals(p.getSpec().getNodeName()))).hasSize(2);
        Pod left = pods.stream().filter(p -> p.getSpec().getNodeName() == null).findFirst().orElseThrow();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(events(ns, left.getMetadata().getName(),
                "FailedScheduling")).extracting(Event::getMessage).contains("0/2 nodes are available: 2 Insufficient "
                        + "cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."));
    }

    @Test
    void anUnschedulablePodGetsKubernetesEventAndConditionThenANewNodeTakesIt() {
        String ns = Fabric8.namespace(client, "sched-fail");
        node("control-plane", "8", "16Gi", true);
        node("small-1", "2", "16Gi", false);
        node("small-2", "2", "16Gi", false);

        pod(ns, "wide", "4");

        String expected = "0/3 nodes are available: 1 node(s) had untolerated taint "
                + "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: "
                + "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<Event> failed = events(ns, "wide", "FailedScheduling");
            assertThat(failed).isNotEmpty();
            assertThat(failed.getFirst().getMessage()).isEqualTo(expected);
            assertThat(failed.getFirst().getType()).isEqualTo("Warning");
            PodCondition condition = scheduledCondition(ns, "wide");
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo("Unschedulable");
            assertThat(condition.getMessage()).isEqualTo(expected);
        });
        assertThat(nodeOf(ns, "wide")).isNull();

        node("large", "8", "16Gi", false);

        await().atMost(PATIENCE).until(() -> "large".equals(nodeOf(ns, "wide")));
        assertThat(scheduledCondition(ns, "wide").getStatus()).isEqualTo("True");
    }

    @Test
    void aPodWaitingForRoomIsPlacedWhenAnAssignedPodIsDeleted() {
        String ns = Fabric8.namespace(client, "sched-requeue");
        node("snug", "2", "16Gi", false);
        pod(ns, "first", "2");
        await().atMost(PATIENCE).until(() -> "snug".equals(nodeOf(ns, "first")));
        pod(ns, "second", "2");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(events(ns, "second", "FailedScheduling"))
                .extracting(Event::getMessage).contains("0/1 nodes are available: 1 Insufficient cpu. preemption: "
                        + "0/1 nodes are available: 1 No preemption victims found for incoming pod."));
        assertThat(nodeOf(ns, "second")).isNull();

        client.pods().inNamespace(ns).withName("first").withGracePeriod(0).delete();

        // Requeued by the deletion, not by the 5-minute flush.
        await().atMost(PATIENCE).until(() -> "snug".equals(nodeOf(ns, "second")));
    }

    @Test
    void aHigherPriorityPodPreemptsALowerOneAndTakesItsPlaceOnceItIsGone() {
        String ns = Fabric8.namespace(client, "sched-preempt");
        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                .withName("sched-low").endMetadata().withValue(100).build()).create();
        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                .withName("sched-high").endMetadata().withValue(1000).build()).create();
        node("only", "2", "16Gi", false);
        client.pods().inNamespace(ns).resource(prioritized("low", "sched-low")).create();
        await().atMost(PATIENCE).until(() -> "only".equals(nodeOf(ns, "low")));

        Pod high = client.pods().inNamespace(ns).resource(prioritized("high", "sched-high")).create();
        assertThat(high.getSpec().getPriority()).isEqualTo(1000);
        assertThat(high.getSpec().getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");

        await().atMost(PATIENCE).untilAsserted(() -> {
            Pod victim = client.pods().inNamespace(ns).withName("low").get();
            assertThat(victim.getMetadata().getDeletionTimestamp()).isNotNull();
            Pod preemptor = client.pods().inNamespace(ns).withName("high").get();
            assertThat(preemptor.getStatus().getNominatedNodeName()).isEqualTo("only");
            assertThat(events(ns, "low", "Preempted")).extracting(Event::getMessage)
                    .containsExactly("Preempted by pod " + high.getMetadata().getUid() + " on node only");
        });
        assertThat(nodeOf(ns, "high")).isNull();

        // No node agent here to finish the victim's graceful deletion: do what it would.
        client.pods().inNamespace(ns).withName("low").withGracePeriod(0).delete();

        await().atMost(PATIENCE).until(() -> "only".equals(nodeOf(ns, "high")));
    }

    private static Pod prioritized(String name, String priorityClass) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withPriorityClassName(priorityClass).addNewContainer().withName("c").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("2"))).endResources().endContainer()
                .endSpec().build();
    }

    @Test
    void priorityComesFromThePriorityClassAndAnUnknownClassIsForbidden() {
        String ns = Fabric8.namespace(client, "sched-priority");
        Pod plain = pod(ns, "plain", "100m");
        assertThat(plain.getSpec().getPriority()).isZero();
        Pod critical = client.pods().inNamespace(ns).resource(new PodBuilder(prioritized("critical", "x")).editSpec()
                .withPriorityClassName("system-cluster-critical").endSpec().build()).create();
        assertThat(critical.getSpec().getPriority()).isEqualTo(2000000000);

        assertThatThrownBy(() -> client.pods().inNamespace(ns).resource(prioritized("lost", "no-such-class")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage())
                            .isEqualTo("pods \"lost\" is forbidden: no PriorityClass with name no-such-class was found");
                });
        assertThatThrownBy(() -> client.pods().inNamespace(ns).resource(new PodBuilder(prioritized("forged", "x"))
                .editSpec().withPriorityClassName(null).withPriority(5).endSpec().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }

    @Test
    void podsOfAnotherSchedulerAreLeftAlone() {
        String ns = Fabric8.namespace(client, "sched-other");
        node("w", "4", "16Gi", false);
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("theirs").endMetadata()
                .withNewSpec().withSchedulerName("my-scheduler").addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build()).create();
        pod(ns, "ours", "100m");

        await().atMost(PATIENCE).until(() -> "w".equals(nodeOf(ns, "ours")));
        assertThat(nodeOf(ns, "theirs")).isNull();
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .noneMatch(e -> "theirs".equals(e.getInvolvedObject().getName()));
        Pod theirs = client.pods().inNamespace(ns).withName("theirs").get();
        assertThat(theirs.getStatus().getConditions()).noneMatch(c -> "PodScheduled".equals(c.getType()));
    }
}
