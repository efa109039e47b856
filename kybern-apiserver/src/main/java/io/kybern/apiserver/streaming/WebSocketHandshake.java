package io.kybern.apiserver.streaming;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The server's half of a WebSocket opening handshake (RFC 6455, version 13) on a connection the HTTP layer
 * has already let go of, choosing a sub-protocol from the client's list.
 */
public final class WebSocketHandshake {

    /** The largest message a client may send; kubectl cp writes stdin in pieces far smaller. */
    static final int MAX_MESSAGE_BYTES = 1024 * 1024;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake() {
    }

    /** Whether the request asks for WebSocket (version 13, with a key). */
    public static boolean requested(String upgrade, String version, String key) {
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket") && "13".equals(version)
                && key != null && !key.isBlank();
    }

    /**
     * The first sub-protocol the client offers (in its order, across repeated headers) that is served, or
     * null.
     */
    public static String choose(List<String> offered, List<String> served) {
        for (String header : offered) {
            for (String protocol : header.split(",")) {
                if (served.contains(protocol.strip())) {
                    return protocol.strip();
                }
            }
        }
        return null;
    }

    /** {@code Sec-WebSocket-Accept} for a client's key. */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key.strip() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * Answers the handshake with {@code 101} and installs the WebSocket frame codecs (messages reassembled).
     * Call on the channel's event loop, with no HTTP handler left in its pipeline; handlers added after this
     * see whole {@link io.netty.handler.codec.http.websocketx.WebSocketFrame}s.
     */
    public static void complete(Channel channel, String key, String protocol) {
        String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\nSec-WebSocket-Protocol: " + protocol + "\r\n\r\n";
        channel.writeAndFlush(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII));
        channel.pipeline().addLast("ws-decoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true).maxFramePayloadLength(MAX_MESSAGE_BYTES).build()));
        channel.pipeline().addLast("ws-encoder", new WebSocket13FrameEncoder(false));
        channel.pipeline().addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES));
    }
}
