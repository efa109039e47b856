package io.kybern.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kybern.cli.inprocess.InProcessTransport;

/**
 * The fabric8 clients a JVM makes of its own servers: the controllers', the scheduler's, the simulated
 * nodes' and the test kit's. They share one {@link KubernetesSerialization}: each would otherwise hold its
 * own Jackson mapper and build the (de)serializers of every model class it meets anew, which was most of
 * the CPU of a test kit start once the JVM was warm (decision 0022). The mapper is thread-safe and
 * configured alike for every client; one thing is shared beyond the caches: a custom resource class one
 * client registers (fabric8 does when asked for {@code resources(MyKind.class)}) is known to the others.
 */
public final class InProcessClients {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private InProcessClients() {
    }

    /** A client of {@code config} over the JDK's HTTP client: of a server in this JVM or another. */
    public static KubernetesClient of(Config config) {
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(SERIALIZATION)
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /**
     * A client of the API server in this JVM that reaches it through {@code transport}, without a connection;
     * {@code config} still names the server and the User-Agent. It watches over HTTP, which the transport serves.
     */
    public static KubernetesClient of(Config config, InProcessTransport transport) {
        config.setOnlyHttpWatches(true);
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(SERIALIZATION)
                .withHttpClientFactory(transport).build();
    }
}
