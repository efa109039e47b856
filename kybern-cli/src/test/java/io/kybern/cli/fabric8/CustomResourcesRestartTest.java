package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.TestServers;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definitions and their objects outlive the server: a restarted one serves them before it answers at all. */
class CustomResourcesRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void aRestartedServerServesTheDefinitionsItStored() {
        try (TestServers.Running first = TestServers.startPersistent(dataDir);
                KubernetesClient client = Fabric8.client(first.kubeconfig())) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(CustomResourcesTest.DEFINITION,
                    CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            client.apiextensions().v1().customResourceDefinitions().withName("gizmos.fabric8.example.com")
                    .waitUntilCondition(CustomResourcesTest::established, 5, TimeUnit.SECONDS);
            client.resources(Gizmo.class).inNamespace("default").resource(Gizmo.of("kept", "blue")).create();
        }

        try (TestServers.Running second = TestServers.startPersistent(dataDir);
                KubernetesClient client = Fabric8.client(second.kubeconfig())) {
            // No waiting: the definitions stored are established before the server takes its first request.
            Gizmo kept = client.resources(Gizmo.class).inNamespace("default").withName("kept").get();

            assertThat(kept.getSpec().getColor()).isEqualTo("blue");
            assertThat(kept.getSpec().getReplicas()).isEqualTo(1);
            assertThat(client.resources(Gizmo.class).inNamespace("default").resource(Gizmo.of("new", "red"))
                    .create().getMetadata().getGeneration()).isEqualTo(1L);
        }
    }
}
