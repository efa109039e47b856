package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.TestServers;
import io.kybern.controllers.ControllerManager;
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
 * Two controller managers with leader election against one server (as two servers on one etcd would
 * run them): only the holder of the kube-controller-manager Lease acts, so a ReplicaSet's pods are
 * created once; when the holder stops, the other takes the Lease and carries on.
 */
class ControllerManagerElectionTest {

    private static final Duration PATIENCE = Duration.ofSeconds(40);

    @TempDir
    static Path dataDir;

    private static TestServers.Running server;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = TestServers.startWithoutControllers(dataDir);
        client = Fabric8.client(server.kubeconfig());
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
        Lease lease = client.leases().inNamespace("kube-system").withName("kube-controller-manager").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static List<Event> events(String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private static int pods(String ns) {
        return client.pods().inNamespace(ns).list().getItems().size();
    }

    @Test
    void onlyTheLeaseHolderRunsTheControllersAndTheOtherTakesOver() {
        try (KubernetesClient clientA = Fabric8.client(server.kubeconfig());
                KubernetesClient clientB = Fabric8.client(server.kubeconfig())) {
            ControllerManager a = ControllerManager.start(clientA,
                    new ControllerManager.Config(true, "candidate-a", Clock.systemUTC()));
            ControllerManager b = ControllerManager.start(clientB,
                    new ControllerManager.Config(true, "candidate-b", Clock.systemUTC()));
            try {
                await().atMost(PATIENCE).until(() -> holder() != null);
                String first = holder();
                assertThat(first).isIn("candidate-a", "candidate-b");

                String ns = Fabric8.namespace(client, "elected");
                client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                        .withName("web").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                        .withMatchLabels(Map.of("app", "web")).endSelector().withNewTemplate().withNewMetadata()
                        .withLabels(Map.of("app", "web")).endMetadata().withNewSpec().addNewContainer()
                        .withName("c").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build())
                        .create();

                await().atMost(PATIENCE).until(() -> pods(ns) == 2);
                // Two managers acting at once would both create (then delete the surplus).
                await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> pods(ns) == 2
                        && events(ns, "SuccessfulCreate").size() == 2 && events(ns, "SuccessfulDelete").isEmpty());

                (first.equals("candidate-a") ? a : b).close();
                String second = first.equals("candidate-a") ? "candidate-b" : "candidate-a";
                await().atMost(PATIENCE).until(() -> second.equals(holder()));

                client.apps().replicaSets().inNamespace(ns).withName("web").scale(3);
                await().atMost(PATIENCE).until(() -> pods(ns) == 3);
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
