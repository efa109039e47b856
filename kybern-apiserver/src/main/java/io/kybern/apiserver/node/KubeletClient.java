package io.kybern.apiserver.node;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;

/**
 * Reaches node agents over HTTPS as kube-apiserver reaches kubelets: at the Node's InternalIP and
 * {@code status.daemonEndpoints.kubeletEndpoint.Port}, with the API server's client certificate, trusting
 * only the cluster's server CA.
 */
public final class KubeletClient implements NodeConnection {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;

    /** @param tls the client certificate to present and the CA the agents' serving certificates chain to */
    public KubeletClient(SSLContext tls) {
        this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).build();
    }

    @Override
    public Response get(JsonNode node, String pathAndQuery) throws IOException, InterruptedException {
        URI uri = URI.create("https://" + host(node) + ":" + port(node) + pathAndQuery);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        return new Response(response.statusCode(), response.body());
    }

    static String host(JsonNode node) throws IOException {
        String name = node.path("metadata").path("name").asString("");
        for (String type : new String[] {"InternalIP", "ExternalIP", "Hostname"}) {
            for (JsonNode address : node.path("status").path("addresses")) {
                if (address.path("type").asString("").equals(type)) {
                    String value = address.path("address").asString("");
                    if (!value.isEmpty()) {
                        return value.contains(":") ? "[" + value + "]" : value;
                    }
                }
            }
        }
        throw new IOException("node " + name + " has no address");
    }

    static int port(JsonNode node) throws IOException {
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        if (port <= 0) {
            throw new IOException("node " + node.path("metadata").path("name").asString("")
                    + " publishes no kubelet port");
        }
        return port;
    }
}
