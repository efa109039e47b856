package io.kybern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;

/** With {@code lifecycle = PER_METHOD} each test starts from an empty cluster of its own. */
@KybernCluster(nodes = 0, controllers = false, scheduler = false, lifecycle = KybernCluster.Lifecycle.PER_METHOD)
class PerMethodClusterTest {

    private static final Set<String> urlsSeen = new HashSet<>();

    @RepeatedTest(2)
    void eachTestHasItsOwnCluster(KubernetesClient client) {
        assertThat(urlsSeen.add(client.getMasterUrl().toString())).as("a new API server").isTrue();
        // What an earlier test wrote is not here.
        assertThat(client.configMaps().inNamespace("default").withName("left-behind").get()).isNull();
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("left-behind").endMetadata().addToData("k", "v").build()).create();
    }
}
