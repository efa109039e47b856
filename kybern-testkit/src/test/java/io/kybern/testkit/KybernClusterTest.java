package io.kybern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What {@code @KybernCluster} gives a test class: one cluster, injected every way, with nodes and a clock. */
@KybernCluster(nodes = 2, nodeCpu = "8", nodeMemory = "32Gi", nodeLabels = {"tier=web", "zone=a"})
class KybernClusterTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    static KubernetesClient staticClient;
    static TestCluster staticCluster;

    KubernetesClient client;
    TestCluster cluster;
    TestClock clock;
    @Kubeconfig
    Path kubeconfig;
    Path notForTheKit;

    private static Path clusterKubeconfigSeenBeforeAll;

    @BeforeAll
    static void beforeAll(TestCluster cluster) {
        clusterKubeconfigSeenBeforeAll = cluster.kubeconfig();
    }

    @Test
    void injectsOneClusterIntoFieldsAndParameters(KubernetesClient parameterClient, TestCluster parameterCluster,
            @Kubeconfig Path parameterKubeconfig, TestClock parameterClock) throws Exception {
        assertThat(client).isSameAs(parameterClient).isSameAs(staticClient);
        assertThat(cluster).isSameAs(parameterCluster).isSameAs(staticCluster);
        assertThat(clock).isSameAs(parameterClock).isSameAs(cluster.clock());
        assertThat(kubeconfig).isEqualTo(parameterKubeconfig).isEqualTo(clusterKubeconfigSeenBeforeAll);
        assertThat(notForTheKit).as("a Path without @Kubeconfig is not the kit's").isNull();

        assertThat(Files.readString(kubeconfig)).contains(client.getMasterUrl().getHost() + ":"
                + client.getMasterUrl().getPort());
        try (KubernetesClient own = TestCluster.client(kubeconfig)) {
            assertThat(own.namespaces().withName("default").get()).isNotNull();
        }
    }

    @Test
    void registersTheSimulatedNodesAsAsked() {
        await().atMost(PATIENCE).until(() -> client.nodes().list().getItems().size() == 2);
        assertThat(cluster.nodeNames()).containsExactly("sim-node-0", "sim-node-1");
        for (Node node : client.nodes().list().getItems()) {
            assertThat(node.getMetadata().getLabels()).containsEntry("tier", "web").containsEntry("zone", "a");
            assertThat(node.getStatus().getAllocatable()).containsEntry("cpu", new Quantity("8"))
                    .containsEntry("memory", new Quantity("32Gi"));
        }
    }

    @Test
    void aStoppedNodeGoesNotReadyWhenTheClockPassesItsGracePeriodAndComesBack() {
        await().atMost(PATIENCE).until(() -> ready("sim-node-1").equals("True"));
        Instant before = clock.instant();

        cluster.stopNode("sim-node-1");
        cluster.advance(Duration.ofSeconds(45));

        assertThat(Duration.between(before, clock.instant())).isGreaterThanOrEqualTo(Duration.ofSeconds(45));
        await().atMost(PATIENCE).until(() -> ready("sim-node-1").equals("Unknown"));
        assertThat(ready("sim-node-0")).as("the running node kept its Lease fresh").isEqualTo("True");

        cluster.startNode("sim-node-1");
        await().atMost(PATIENCE).until(() -> ready("sim-node-1").equals("True"));
    }

    @Test
    void namesAnUnknownNodeWhenAskedToStopIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cluster.stopNode("sim-node-9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sim-node-9")
                .hasMessageContaining("sim-node-0");
    }

    @Test
    void refusesToMoveTheClockBack() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private String ready(String node) {
        Node current = client.nodes().withName(node).get();
        return current.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                .map(NodeCondition::getStatus).findFirst().orElse("none");
    }

    @Nested
    class NestedTests {
        @Test
        void shareTheEnclosingClassCluster(TestCluster nestedCluster) {
            assertThat(nestedCluster).isSameAs(staticCluster);
        }
    }
}
