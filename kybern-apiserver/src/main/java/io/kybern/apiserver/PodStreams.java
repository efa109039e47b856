package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.node.ByteRelay;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code pods/exec}, {@code pods/attach} and {@code pods/portforward} subresources: checks the request
 * against the pod as kube-apiserver does (which container, which node), then proxies the client's upgrade
 * request (SPDY/3.1 or WebSocket) to the node agent's kubelet API and joins the two connections byte for
 * byte. The agent, and behind it the container runtime's streaming server, answers the upgrade; a client
 * offering only a protocol the runtime does not speak (WebSocket {@code v5.channel.k8s.io}) is refused there
 * and kubectl falls back to SPDY.
 */
final class PodStreams {

    private final ObjectStorage storage;
    private final ResourceType nodes;
    private final Supplier<NodeConnection> nodeConnection;

    PodStreams(ObjectStorage storage, ResourceType nodes, Supplier<NodeConnection> nodeConnection) {
        this.storage = storage;
        this.nodes = nodes;
        this.nodeConnection = nodeConnection;
    }

    void serve(ResourceType pods, String namespace, String name, String subresource, ApiRequest request,
            ApiResponder responder) {
        ObjectNode pod = storage.get(pods, namespace, name);
        String path = switch (subresource) {
            case "exec" -> "/exec/" + encode(namespace) + "/" + encode(name) + "/"
                    + encode(PodLogs.container(pod, name, request.param("container"))) + streamQuery(request, true);
            case "attach" -> "/attach/" + encode(namespace) + "/" + encode(name) + "/"
                    + encode(PodLogs.container(pod, name, request.param("container"))) + streamQuery(request, false);
            default -> "/portForward/" + encode(namespace) + "/" + encode(name) + portQuery(request);
        };
        String nodeName = pod.path("spec").path("nodeName").asString("");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        if (!isUpgrade(request)) {
            throw ApiException.badRequest("Upgrade request required");
        }
        JsonNode node = storage.get(nodes, "", nodeName);
        Channel agent;
        try {
            agent = nodeConnection.get().upgrade(node, request.method(), path, request.headers());
        } catch (IOException e) {
            throw ApiException.internal("error dialing backend: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
        responder.upgrade(client -> ByteRelay.join(client, agent));
    }

    /** {@code Connection: Upgrade} with an {@code Upgrade} header, as Kubernetes' httpstream tells them. */
    static boolean isUpgrade(ApiRequest request) {
        List<String> connection = request.headers().getOrDefault("connection", List.of());
        boolean upgrade = connection.stream().flatMap(value -> List.of(value.split(",")).stream())
                .anyMatch(token -> token.strip().equalsIgnoreCase("upgrade"));
        return upgrade && request.header("upgrade") != null;
    }

    /**
     * PodExecOptions or PodAttachOptions as kubelet reads them: {@code input}, {@code output}, {@code error}
     * and {@code tty} set to 1, and the command's words in order.
     */
    static String streamQuery(ApiRequest request, boolean exec) {
        StringBuilder query = new StringBuilder();
        // stdout and stderr default to true, stdin and tty to false.
        append(query, "input", flag(request, "stdin", false));
        append(query, "output", flag(request, "stdout", true));
        append(query, "error", flag(request, "stderr", true));
        append(query, "tty", flag(request, "tty", false));
        if (exec) {
            for (String word : request.query().getOrDefault("command", List.of())) {
                query.append(query.isEmpty() ? '?' : '&').append("command=").append(encode(word));
            }
        }
        return query.toString();
    }

    /** PodPortForwardOptions' ports, passed on as kubelet takes them. */
    static String portQuery(ApiRequest request) {
        StringBuilder query = new StringBuilder();
        for (String port : request.query().getOrDefault("ports", List.of())) {
            query.append(query.isEmpty() ? '?' : '&').append("port=").append(encode(port));
        }
        return query.toString();
    }

    private static void append(StringBuilder query, String name, boolean set) {
        if (set) {
            query.append(query.isEmpty() ? '?' : '&').append(name).append("=1");
        }
    }

    /** A boolean query parameter as Kubernetes' parameter codec reads it. */
    static boolean flag(ApiRequest request, String name, boolean absent) {
        String value = request.param(name);
        if (value == null) {
            return absent;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "t", "" -> true;
            case "false", "0", "f" -> false;
            default -> throw ApiException.badRequest("invalid value for " + name + ": \"" + value + "\"");
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
