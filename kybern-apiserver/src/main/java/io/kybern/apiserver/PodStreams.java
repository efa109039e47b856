package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.node.ByteRelay;
import io.kybern.apiserver.node.NodeConnection;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.streaming.AgentAnswer;
import io.kybern.apiserver.streaming.PortForwardTunnel;
import io.kybern.apiserver.streaming.RemoteCommandBridge;
import io.kybern.apiserver.streaming.WebSocketHandshake;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code pods/exec}, {@code pods/attach} and {@code pods/portforward} subresources: checks the request
 * against the pod as kube-apiserver does (which container, which node), then proxies the client's upgrade
 * request (SPDY/3.1 or WebSocket) to the node agent's kubelet API and joins the two connections byte for
 * byte: the agent, and behind it the container runtime's streaming server, answers the upgrade. WebSocket
 * clients of exec and attach ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}) and of port-forward
 * ({@code SPDY/3.1+portforward.k8s.io}) are translated here instead (package {@code streaming}): the runtime
 * speaks no WebSocket v5.
 */
final class PodStreams {

    /** How long the node may take to answer an upgrade the API server sent it for a WebSocket client. */
    private static final Duration AGENT_ANSWER_TIMEOUT = Duration.ofSeconds(30);

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
        String webSocket = webSocketProtocol(request, subresource);
        try {
            if (webSocket == null) {
                Channel agent = nodeConnection.get().upgrade(node, request.method(), path, request.headers());
                handOver(agent, responder, client -> ByteRelay.join(client, agent));
            } else {
                translate(node, path, subresource, webSocket, request, responder);
            }
        } catch (IOException e) {
            throw ApiException.internal("error dialing backend: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
    }

    /**
     * The WebSocket sub-protocol this server translates for the request, or null when the upgrade is passed to
     * the node as it is (SPDY, or a WebSocket protocol the runtime may speak itself).
     */
    static String webSocketProtocol(ApiRequest request, String subresource) {
        if (!WebSocketHandshake.requested(request.header("upgrade"), request.header("sec-websocket-version"),
                request.header("sec-websocket-key"))) {
            return null;
        }
        List<String> offered = request.headers().getOrDefault("sec-websocket-protocol", List.of());
        return WebSocketHandshake.choose(offered, subresource.equals("portforward")
                ? List.of(PortForwardTunnel.PROTOCOL) : RemoteCommandBridge.PROTOCOLS);
    }

    /**
     * A WebSocket client: the API server opens a SPDY session with the node itself and, once the node agreed,
     * answers the client's handshake and translates. A node's refusal (no such container) is answered as it
     * is, before any handshake, so kubectl shows it as it does for SPDY.
     */
    private void translate(JsonNode node, String path, String subresource, String protocol, ApiRequest request,
            ApiResponder responder) throws IOException, InterruptedException {
        boolean portForward = subresource.equals("portforward");
        Map<String, List<String>> headers = Map.of("Connection", List.of("Upgrade"), "Upgrade", List.of("SPDY/3.1"),
                "X-Stream-Protocol-Version", List.of(portForward ? "portforward.k8s.io" : RemoteCommandBridge.V4));
        Channel agent = nodeConnection.get().upgrade(node, "POST", path, headers);
        Consumer<Channel> attach;
        AgentAnswer.Answer answer;
        if (portForward) {
            PortForwardTunnel tunnel = new PortForwardTunnel(agent);
            answer = AgentAnswer.await(agent, tunnel::agentHandlers, AGENT_ANSWER_TIMEOUT);
            attach = tunnel::attachClient;
        } else {
            boolean tty = flag(request, "tty", false);
            RemoteCommandBridge bridge = new RemoteCommandBridge(agent, protocol, flag(request, "stdin", false),
                    flag(request, "stdout", true), flag(request, "stderr", true), tty);
            answer = AgentAnswer.await(agent, bridge::agentHandlers, AGENT_ANSWER_TIMEOUT);
            attach = bridge::attachClient;
        }
        if (!answer.upgraded()) {
            responder.respond(answer.status(), "text/plain; charset=utf-8",
                    answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String key = request.header("sec-websocket-key");
        handOver(agent, responder, client -> {
            WebSocketHandshake.complete(client, key, protocol);
            attach.accept(client);
        });
    }

    /** Gives the client's connection to {@code tunnel}; the agent's connection goes if that cannot be done. */
    private static void handOver(Channel agent, ApiResponder responder, Consumer<Channel> tunnel) {
        try {
            responder.upgrade(tunnel);
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
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
