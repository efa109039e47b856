package io.kybern.apiserver.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Port-forward for kubectl 1.31 and later, which sends its SPDY/3.1 port-forward session inside WebSocket
 * binary messages (sub-protocol {@code SPDY/3.1+portforward.k8s.io}): each message's payload is passed to the
 * agent's SPDY session as bytes, and the agent's bytes go back one message per read. The SPDY frames themselves
 * are the client's and the runtime's; nothing here reads them.
 *
 * <p>Threading: state lives on the agent connection's event loop.
 */
public final class PortForwardTunnel {

    public static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    private final Channel agent;
    private final List<ByteBuf> waiting = new ArrayList<>();
    private Channel client;
    private boolean agentClosed;

    public PortForwardTunnel(Channel agent) {
        this.agent = agent;
    }

    public List<ChannelHandler> agentHandlers() {
        return List.of(new AgentSide());
    }

    /** Joins the client's connection (WebSocket codecs installed); call on the client's event loop. */
    public void attachClient(Channel clientChannel) {
        clientChannel.pipeline().addLast("port-forward-client", new ClientSide());
        agent.eventLoop().execute(() -> {
            client = clientChannel;
            waiting.forEach(bytes -> client.write(new BinaryWebSocketFrame(bytes)));
            waiting.clear();
            client.flush();
            if (agentClosed) {
                closeClient();
            }
        });
    }

    private void closeClient() {
        if (client != null && client.isActive()) {
            client.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private final class AgentSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (client == null) {
                waiting.add(bytes);
                return;
            }
            client.writeAndFlush(new BinaryWebSocketFrame(bytes));
            if (!client.isWritable()) {
                ctx.channel().config().setAutoRead(false);
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

    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof BinaryWebSocketFrame frame) {
                agent.writeAndFlush(frame.content());
                if (!agent.isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
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
