package io.kybern.images.registry;

import io.kybern.images.registry.RegistryExchange.Request;
import io.kybern.images.registry.RegistryExchange.Response;
import io.kybern.images.storage.ImageStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry's listener: plain HTTP/1.1 with keep-alive, as containerd's mirrors and
 * {@code ctr --plain-http} speak it. Netty's event loops only move bytes; each request is served by the
 * {@link RegistryApi} on a virtual thread, reading its body as it streams in and answering blobs with
 * zero-copy file transfers.
 */
public final class RegistryServer implements EmbeddedRegistry {

    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);
    /** Docker clients look for this header on {@code /v2/} to know they talk to a v2 registry. */
    private static final String API_VERSION = "registry/2.0";

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService requests;
    private final Channel channel;

    private RegistryServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService requests, Channel channel) {
        this.boss = boss;
        this.workers = workers;
        this.requests = requests;
        this.channel = channel;
    }

    /** Serves the images of {@code store} on {@code address} (port 0 picks a free one). */
    public static RegistryServer start(ImageStore store, InetSocketAddress address)
            throws IOException, InterruptedException {
        RegistryApi api = new RegistryApi(store);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ExecutorService requests = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("registry-request-", 0).factory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(),
                                    new Exchange(api, requests));
                        }
                    })
                    .bind(address).sync().channel();
            RegistryServer server = new RegistryServer(boss, workers, requests, channel);
            log.info("registry listening address={} storage={}", server.address(), store.root());
            return server;
        } catch (InterruptedException | RuntimeException e) {
            requests.shutdownNow();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        requests.shutdownNow();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        log.info("registry stopped");
    }

    /**
     * One connection's requests, one at a time (HTTP/1.1 without pipelining): the head starts a virtual thread,
     * the content feeds its body stream, and the thread writes the answer.
     */
    private static final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        private final RegistryApi api;
        private final ExecutorService requests;
        private BodyStream body;

        Exchange(RegistryApi api, ExecutorService requests) {
            this.api = api;
            this.requests = requests;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpRequest head) {
                if (head.decoderResult().isFailure()) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                BodyStream stream = new BodyStream(ctx.channel());
                body = stream;
                Request request = request(head, stream);
                boolean keepAlive = HttpUtil.isKeepAlive(head);
                requests.execute(() -> serve(ctx, request, stream, keepAlive));
            }
            if (message instanceof HttpContent content && body != null) {
                body.offer(content.content().retain());
                if (content instanceof LastHttpContent) {
                    body.end();
                    body = null;
                }
            }
        }

        private void serve(ChannelHandlerContext ctx, Request request, BodyStream stream, boolean keepAlive) {
            Response response = api.handle(request);
            try {
                stream.drain();
            } catch (IOException e) {
                ctx.close();
                return;
            } finally {
                stream.close();
            }
            log.debug("registry request method={} path={} status={}", request.method(), request.path(),
                    response.status());
            write(ctx, response, keepAlive);
        }

        private static void write(ChannelHandlerContext ctx, Response response, boolean keepAlive) {
            HttpResponseStatus status = HttpResponseStatus.valueOf(response.status());
            HttpResponse head;
            if (response.file() != null) {
                head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            } else {
                head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        response.body() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
            }
            response.headers().forEach((name, value) -> head.headers().set(name, value));
            head.headers().set("Docker-Distribution-API-Version", API_VERSION);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.length());
            if (!keepAlive) {
                head.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
            var done = ctx.write(head);
            if (response.file() != null) {
                Path file = response.file();
                ctx.write(new DefaultFileRegion(file.toFile(), 0, response.length()));
                done = ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            ctx.flush();
            if (!keepAlive) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static Request request(HttpRequest head, BodyStream stream) {
            QueryStringDecoder uri = new QueryStringDecoder(head.uri());
            Map<String, String> query = new HashMap<>();
            for (Map.Entry<String, List<String>> e : uri.parameters().entrySet()) {
                query.put(e.getKey(), e.getValue().getFirst());
            }
            Map<String, String> headers = new LinkedHashMap<>();
            head.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            return new Request(head.method().name(), uri.path(), query, headers, stream);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (body != null) {
                body.fail();
                body = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("registry connection failed remote={}", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
