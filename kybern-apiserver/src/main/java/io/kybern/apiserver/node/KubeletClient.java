package io.kybern.apiserver.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import tools.jackson.databind.JsonNode;

/**
 * Reaches node agents over HTTPS as kube-apiserver reaches kubelets: at the Node's InternalIP and
 * {@code status.daemonEndpoints.kubeletEndpoint.Port}, with the API server's client certificate, trusting
 * only the cluster's server CA.
 */
public final class KubeletClient implements NodeConnection {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Headers of the client's upgrade request that are not for the agent: its own credentials and host. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "authorization", "cookie", "content-length",
            "transfer-encoding", "impersonate-user", "impersonate-group", "impersonate-uid");

    private final SSLContext tls;
    private final HttpClient http;
    /** Event loop of the connections to agents that carry upgraded streams; its threads never keep the JVM up. */
    private final EventLoopGroup tunnels;

    /** @param tls the client certificate to present and the CA the agents' serving certificates chain to */
    public KubeletClient(SSLContext tls) {
        this.tls = tls;
        this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).build();
        this.tunnels = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kubelet-tunnels", true),
                NioIoHandler.newFactory());
    }

    @Override
    public Channel upgrade(JsonNode node, String method, String pathAndQuery, Map<String, List<String>> headers)
            throws IOException, InterruptedException {
        String host = host(node);
        int port = port(node);
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        SSLEngine engine = tls.createSSLEngine(bareHost, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        SslHandler ssl = new SslHandler(engine);
        ChannelFuture connected = new Bootstrap().group(tunnels).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ssl);
                    }
                })
                .connect(bareHost, port);
        Channel channel = connected.channel();
        try {
            if (!connected.await(CONNECT_TIMEOUT.toMillis() + 1000) || !connected.isSuccess()) {
                throw new IOException("dial tcp " + host + ":" + port + ": " + reason(connected.cause()));
            }
            // The handshake reads; the channel reads only on demand until the caller joins it to its client.
            channel.read();
            var handshake = ssl.handshakeFuture();
            if (!handshake.await(CONNECT_TIMEOUT.toMillis()) || !handshake.isSuccess()) {
                throw new IOException("TLS handshake with " + host + ":" + port + ": " + reason(handshake.cause()));
            }
            StringBuilder head = new StringBuilder(method).append(' ').append(pathAndQuery)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n");
            headers.forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> head.append(name).append(": ").append(value).append("\r\n"));
                }
            });
            head.append("\r\n");
            var written = channel.writeAndFlush(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
            if (!written.await(CONNECT_TIMEOUT.toMillis()) || !written.isSuccess()) {
                throw new IOException("writing to " + host + ":" + port + ": " + reason(written.cause()));
            }
            return channel;
        } catch (IOException | InterruptedException e) {
            channel.close();
            throw e;
        }
    }

    private static String reason(Throwable cause) {
        return cause == null ? "timed out" : cause.getMessage();
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
