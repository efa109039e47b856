package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.TestServers;
import io.kybern.scheduler.ElectedScheduler;
import io.kybern.scheduler.Scheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two schedulers with leader election against one server (as two servers on one etcd would run them):
 * only the holder of the kube-scheduler Lease schedules, so each pod is bound once; when the holder
 * stops, the other takes the Lease and places the next pods. Without election a scheduler runs at once.
 */
class SchedulerElectionTest {

    private static final Duration PATIENCE = Duration.ofSeconds(40);

    @TempDir
    static Path dataDir;

    private static TestServers.Running server;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = TestServers.startWithoutControllers(dataDir);
        client = Fabric8.client(server.kubeconfig());
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("only").endMetadata().build()).create();
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("8"), "memory", new Quantity("16Gi"),
                "pods", new Quantity("110"));
        Node node = client.nodes().withName("only").get();
        node.setStatus(new NodeStatusBuilder().withCapacity(resources).withAllocatable(resources)
                .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").build()).build());
        client.nodes().resource(node).updateStatus();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String holder() {
        Lease lease = client.leases().inNamespace("kube-system").withName("kube-scheduler").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static void createPod(String ns, String name) {
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build())
                .create();
    }

    private static boolean bound(String ns, String name) {
        return "only".equals(client.pods().inNamespace(ns).withName(name).get().getSpec().getNodeName());
    }

    private static List<Event> events(String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private static ElectedScheduler.Config elected(String identity) {
        return new ElectedScheduler.Config(Scheduler.Config.defaults(Clock.systemUTC()), true, identity);
    }

    @Test
    void onlyTheLeaseHolderSchedulesAndTheOtherTakesOver() {
        try (KubernetesClient clientA = Fabric8.client(server.kubeconfig());
                KubernetesClient clientB = Fabric8.client(server.kubeconfig())) {
            ElectedScheduler a = ElectedScheduler.start(clientA, elected("candidate-a"));
            ElectedScheduler b = ElectedScheduler.start(clientB, elected("candidate-b"));
            try {
                await().atMost(PATIENCE).until(() -> holder() != null);
                String first = holder();
                assertThat(first).isIn("candidate-a", "candidate-b");
                ElectedScheduler leader = first.equals("candidate-a") ? a : b;
                ElectedScheduler follower = leader == a ? b : a;
                await().atMost(PATIENCE).until(leader::scheduling);
                assertThat(follower.scheduling()).as("the candidate without the Lease").isFalse();

                String ns = Fabric8.namespace(client, "elected-scheduling");
                for (int i = 0; i < 5; i++) {
                    createPod(ns, "before-" + i);
                }
                await().atMost(PATIENCE).until(() -> List.of(0, 1, 2, 3, 4).stream()
                        .allMatch(i -> bound(ns, "before-" + i)));
                // Two schedulers at once would each bind (one failing with a conflict) and report it.
                await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() ->
                        events(ns, "Scheduled").size() == 5 && events(ns, "FailedScheduling").isEmpty());

                leader.close();
                String second = first.equals("candidate-a") ? "candidate-b" : "candidate-a";
                await().atMost(PATIENCE).until(() -> second.equals(holder()));
                await().atMost(PATIENCE).until(follower::scheduling);
                assertThat(leader.scheduling()).isFalse();

                createPod(ns, "after");
                await().atMost(PATIENCE).until(() -> bound(ns, "after"));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void withoutElectionTheSchedulerRunsAtOnceAndTakesNoLease() {
        String ns = Fabric8.namespace(client, "unelected-scheduling");
        try (KubernetesClient own = Fabric8.client(server.kubeconfig())) {
            ElectedScheduler alone = ElectedScheduler.start(own,
                    new ElectedScheduler.Config(Scheduler.Config.defaults(Clock.systemUTC()), false, "alone"));
            try {
                await().atMost(PATIENCE).until(alone::scheduling);
                createPod(ns, "single");
                await().atMost(PATIENCE).until(() -> bound(ns, "single"));
                assertThat(holder()).as("no Lease is held by a scheduler without election")
                        .isNotEqualTo("alone");
            } finally {
                alone.close();
            }
            assertThat(alone.scheduling()).isFalse();
        }
    }
}
