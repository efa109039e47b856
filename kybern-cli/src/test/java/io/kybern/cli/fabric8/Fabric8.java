package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** fabric8 clients configured as an operator would be: from the admin kubeconfig the server wrote. */
final class Fabric8 {

    private Fabric8() {
    }

    /** A client with the kubeconfig's server, client certificate and CA, over the JDK HTTP client. */
    static KubernetesClient client(Path kubeconfig) {
        return new KubernetesClientBuilder().withConfig(config(kubeconfig))
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /** As {@link #client(Path)}, but reaching the server at {@code masterUrl} (a proxy in front of it). */
    static KubernetesClient client(Path kubeconfig, String masterUrl) {
        Config config = config(kubeconfig);
        config.setMasterUrl(masterUrl);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }

    /** The kubeconfig's settings, as fabric8 reads them; watches go over WebSocket, fabric8's default. */
    static Config config(Path kubeconfig) {
        try {
            return Config.fromKubeconfig(Files.readString(kubeconfig));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a namespace of that name for one test's objects. */
    static String namespace(KubernetesClient client, String name) {
        Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
        client.namespaces().resource(ns).create();
        return name;
    }

    /** How many times {@link #retryOnConflict} tries; client-go's default retry makes five attempts too. */
    static final int CONFLICT_ATTEMPTS = 5;

    /**
     * Runs a read-modify-write until the server stops refusing it with 409 Conflict, at most
     * {@link #CONFLICT_ATTEMPTS} times, as client-go's {@code retry.RetryOnConflict} does: for a test that
     * writes what a controller writes too (a status), where a controller's write between the test's read and
     * its write is expected. {@code readModifyWrite} must read the object afresh each time; any other error,
     * and the last conflict, are thrown.
     */
    static <T> T retryOnConflict(Supplier<T> readModifyWrite) {
        for (int attempt = 1; ; attempt++) {
            try {
                return readModifyWrite.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
