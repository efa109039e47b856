package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
