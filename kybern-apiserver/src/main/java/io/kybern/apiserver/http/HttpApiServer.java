package io.kybern.apiserver.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's listener: HTTPS with HTTP/2 and HTTP/1.1 negotiated by ALPN (or plain HTTP/1.1
 * when no TLS context is given, for tests). Netty's event loops only move bytes; every request is
 * served by the {@link ApiHandler} on a virtual thread of its own.
 */
public final class HttpApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);

    /** Kubernetes refuses request bodies over 3 MiB. */
    public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;

    private HttpApiServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
    }

    /**
     * Starts listening.
     *
     * @param address where to listen; port 0 picks a free one
     * @param tls     the TLS context, with ALPN for h2 and http/1.1; {@code null} for plain HTTP
     */
    public static HttpApiServer start(InetSocketAddress address, SslContext tls, ApiHandler handler)
            throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls == null) {
                                http1(ch.pipeline(), handler);
                            } else {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Negotiation(handler));
                            }
                        }
                    })
                    .bind(address).sync().channel();
            HttpApiServer server = new HttpApiServer(boss, workers, channel);
            log.info("listening address={} tls={}", server.address(), tls != null);
            return server;
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static void http1(ChannelPipeline pipeline, ApiHandler handler) {
        pipeline.addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), new BodyAggregator(MAX_BODY_BYTES),
                new RequestHandler(handler));
    }

    /** Chooses HTTP/2 or HTTP/1.1 once the TLS handshake has settled the protocol. */
    private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final ApiHandler handler;

        Negotiation(ApiHandler handler) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.handler = handler;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel stream) {
                                // Each HTTP/2 stream looks like an HTTP/1.1 exchange to the handlers.
                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                        new BodyAggregator(MAX_BODY_BYTES), new RequestHandler(handler));
                            }
                        }));
            } else {
                http1(ctx.pipeline(), handler);
            }
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
