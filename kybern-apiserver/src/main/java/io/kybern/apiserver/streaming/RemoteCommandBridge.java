package io.kybern.apiserver.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' stream translation for exec and attach: a client on WebSocket ({@code v5.channel.k8s.io} or
 * {@code v4.channel.k8s.io}, one message per piece, its first byte the channel) on one side, a SPDY/3.1
 * remote command session ({@code v4.channel.k8s.io}, one SPDY stream per channel, named by its
 * {@code streamtype} header) with the node agent on the other. Channels: 0 stdin, 1 stdout, 2 stderr, 3 error
 * (the runtime's Status, which carries the exit code), 4 resize; in v5 a message on channel 255 half-closes
 * the channel its payload names (stdin: kubectl cp's end of input).
 *
 * <p>Flow control is SPDY/3.1's windows (64 KiB each, per stream and per session) for what the runtime sends:
 * each piece is granted back as it arrives, and the client connection's backpressure stops reading from the
 * runtime instead. What the client sends is not held to the runtime's window, which Go's SPDY library does not
 * enforce on receipt.
 *
 * <p>Threading: all state lives on the agent connection's event loop; what the client sends is handed to it.
 */
public final class RemoteCommandBridge {

    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    /** The sub-protocols served, in the server's order of preference. */
    public static final List<String> PROTOCOLS = List.of(V5, V4);

    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    static final int CLOSE = 255;
    /** The stream id of SPDY/3.1's session-wide flow control window. */
    private static final int SESSION = 0;
    /** SPDY/3.1's window for the session and each stream until the receiver says otherwise. */
    private static final int SPDY_INITIAL_WINDOW = 64 * 1024;
    /** The window this side gives the runtime: for the session, and for each stream (see {@code AgentSide.grant}). */
    static final int WINDOW = 16 * 1024 * 1024;
    private static final String[] STREAM_TYPES = {"stdin", "stdout", "stderr", "error", "resize"};

    private final Channel agent;
    private final boolean v5;
    private final List<Integer> channels;
    /** SPDY stream id of each channel opened (client-initiated ids are odd). */
    private final Map<Integer, Integer> streamOfChannel = new HashMap<>();
    private final Map<Integer, Integer> channelOfStream = new HashMap<>();
    /** Bytes received and not yet granted again, per SPDY stream id and for the session (0). */
    private final Map<Integer, Integer> receivedSinceGrant = new HashMap<>();
    /** What the agent sent before the client's side was attached. */
    private final List<WebSocketFrame> waiting = new ArrayList<>();
    private Channel client;
    private boolean agentClosed;

    /**
     * @param protocol the WebSocket sub-protocol agreed with the client
     * @param stdin    and the others: the streams asked for; stderr is left out with a TTY, as kubelet does
     */
    public RemoteCommandBridge(Channel agent, String protocol, boolean stdin, boolean stdout, boolean stderr,
            boolean tty) {
        this.agent = agent;
        this.v5 = V5.equals(protocol);
        this.channels = channels(stdin, stdout, stderr, tty);
    }

    /** The SPDY streams kubectl's SPDY client opens, in its order: error first, resize last. */
    static List<Integer> channels(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        List<Integer> channels = new ArrayList<>(List.of(ERROR));
        if (stdin) {
            channels.add(STDIN);
        }
        if (stdout) {
            channels.add(STDOUT);
        }
        if (stderr && !tty) {
            channels.add(STDERR);
        }
        if (tty) {
            channels.add(RESIZE);
        }
        return channels;
    }

    /** The handlers for the agent's connection once it switched to SPDY: they open the streams at once. */
    public List<ChannelHandler> agentHandlers() {
        return List.of(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), new AgentSide());
    }

    /**
     * Joins the client's connection (WebSocket codecs installed): what waited for it is sent. Call on the client's
     * event loop.
     */
    public void attachClient(Channel clientChannel) {
        clientChannel.pipeline().addLast("remote-command-client", new ClientSide());
        agent.eventLoop().execute(() -> {
            client = clientChannel;
            waiting.forEach(client::write);
            waiting.clear();
            client.flush();
            if (agentClosed) {
                closeClient();
            }
        });
    }

    private void toClient(WebSocketFrame frame) {
        if (client == null) {
            waiting.add(frame);
        } else {
            client.writeAndFlush(frame);
            if (!client.isWritable()) {
                agent.config().setAutoRead(false);
            }
        }
    }

    private void closeClient() {
        if (client != null && client.isActive()) {
            client.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Something the client sent, on the agent's event loop. */
    private void fromClient(WebSocketFrame frame) {
        try {
            if (!(frame instanceof BinaryWebSocketFrame) || !frame.content().isReadable()) {
                return;
            }
            ByteBuf content = frame.content();
            int channel = content.readUnsignedByte();
            if (channel == CLOSE && v5) {
                if (content.isReadable()) {
                    Integer stream = streamOfChannel.get((int) content.readUnsignedByte());
                    if (stream != null) {
                        agent.writeAndFlush(new DefaultSpdyDataFrame(stream, Unpooled.EMPTY_BUFFER).setLast(true));
                    }
                }
                return;
            }
            Integer stream = streamOfChannel.get(channel);
            if (stream != null && (channel == STDIN || channel == RESIZE)) {
                agent.writeAndFlush(new DefaultSpdyDataFrame(stream, content.retain()));
                if (!agent.isWritable()) {
                    client.config().setAutoRead(false);
                }
            }
        } finally {
            frame.release();
        }
    }

    /** The agent's SPDY session: frames in, stream data out to the client. */
    private final class AgentSide extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // A window of WINDOW bytes for the session and each stream from the start, rather than SPDY's 64 KiB:
            // the runtime may send a command's whole output without waiting for grants (see grant()).
            DefaultSpdySettingsFrame settings = new DefaultSpdySettingsFrame();
            settings.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, WINDOW);
            ctx.write(settings);
            ctx.write(new DefaultSpdyWindowUpdateFrame(SESSION, WINDOW - SPDY_INITIAL_WINDOW));
            int stream = 1;
            for (int channel : channels) {
                DefaultSpdySynStreamFrame open = new DefaultSpdySynStreamFrame(stream, 0, (byte) 0);
                open.headers().set("streamtype", STREAM_TYPES[channel]);
                ctx.write(open);
                streamOfChannel.put(channel, stream);
                channelOfStream.put(stream, channel);
                stream += 2;
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SpdyDataFrame data) {
                    Integer channel = channelOfStream.get(data.streamId());
                    int length = data.content().readableBytes();
                    if (channel != null && length > 0) {
                        ByteBuf message = ctx.alloc().buffer(length + 1).writeByte(channel)
                                .writeBytes(data.content());
                        toClient(new BinaryWebSocketFrame(message));
                        grant(ctx, data.streamId(), length, data.isLast());
                    }
                } else if (msg instanceof SpdyPingFrame ping) {
                    ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
                } else if (msg instanceof SpdyGoAwayFrame) {
                    ctx.close();
                }
                // Replies, settings, window updates and resets need no answer: the session ends with the
                // connection, which the runtime closes once the process is done and its status sent.
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /**
         * SPDY/3.1 flow control: what was received is granted again, to the session (stream 0) and to the stream
         * while it goes on, once half of {@link #WINDOW} has come. Not after every frame: a grant still unread by
         * the runtime when it closes the connection after a short command makes its kernel reset the connection,
         * and the exit status, its last message, can be lost on the way to the client. Not with SPDY's 64 KiB
         * window either: the runtime stops sending when it is used up and, once the command has exited, closes
         * the session with the rest of the output unsent.
         */
        private void grant(ChannelHandlerContext ctx, int stream, int length, boolean last) {
            receivedSinceGrant.merge(SESSION, length, Integer::sum);
            if (!last) {
                receivedSinceGrant.merge(stream, length, Integer::sum);
            } else {
                receivedSinceGrant.remove(stream);
            }
            boolean granted = false;
            for (int id : last ? List.of(SESSION) : List.of(SESSION, stream)) {
                int received = receivedSinceGrant.getOrDefault(id, 0);
                if (received >= WINDOW / 2) {
                    ctx.write(new DefaultSpdyWindowUpdateFrame(id, received));
                    receivedSinceGrant.remove(id);
                    granted = true;
                }
            }
            if (granted) {
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && client != null) {
                client.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            agentClosed = true;
            closeClient();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client's WebSocket: control frames answered here, messages handed to the agent's event loop. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof WebSocketFrame frame) {
                agent.eventLoop().execute(() -> fromClient(frame));
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                agent.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            agent.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
