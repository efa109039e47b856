package io.kybern.kubelet.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hands a client's upgrade request (SPDY/3.1 or WebSocket) to the runtime's streaming server at the URL CRI
 * answered, then copies bytes both ways as the kubelet's proxy does: the runtime answers the upgrade (its
 * {@code 101}, or its error), and from then on the agent neither reads nor rewrites the protocol.
 */
final class UpgradeProxy {

    private UpgradeProxy() {
    }

    /**
     * Connects to {@code target} on the client's event loop and, once connected, sends it the request head and
     * turns the client's connection into a raw tunnel. Called from any thread.
     *
     * @param failed called with the reason when the runtime's streaming server cannot be reached
     */
    static void proxy(Channel client, HttpRequest request, URI target, Consumer<String> failed) {
        int port = target.getPort() > 0 ? target.getPort() : 80;
        new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target.getHost(), port).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        failed.accept("error dialing backend: " + connected.cause().getMessage());
                        return;
                    }
                    tunnel(client, connected, request, target);
                });
    }

    private static void tunnel(Channel client, ChannelFuture connected, HttpRequest request, URI target) {
        Channel runtime = connected.channel();
        runtime.writeAndFlush(Unpooled.copiedBuffer(head(request, target), StandardCharsets.ISO_8859_1));
        ByteRelay.join(client, runtime);
        // Added before the HTTP handlers leave, so any byte the decoder still holds reaches the relay.
        var pipeline = client.pipeline();
        pipeline.remove(HttpServerKeepAliveHandler.class);
        pipeline.remove(KubeletServer.Handler.class);
        pipeline.remove(HttpServerCodec.class);
        client.config().setAutoRead(true);
    }

    /** The client's request line and headers, aimed at the runtime's URL. */
    static String head(HttpRequest request, URI target) {
        StringBuilder head = new StringBuilder();
        head.append(request.method().name()).append(' ').append(target.getRawPath());
        if (target.getRawQuery() != null) {
            head.append('?').append(target.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(target.getHost());
        if (target.getPort() > 0) {
            head.append(':').append(target.getPort());
        }
        head.append("\r\n");
        for (Map.Entry<String, String> header : request.headers()) {
            if (!header.getKey().equalsIgnoreCase("host") && !header.getKey().equalsIgnoreCase("authorization")) {
                head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            }
        }
        return head.append("\r\n").toString();
    }
}
