package io.kybern.kubelet.server;

import io.kybern.kubelet.stats.Summary;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The kubelet API of the node agent over HTTPS, as the API server reaches it: {@code GET
 * /containerLogs/{namespace}/{pod}/{container}}, {@code GET /stats/summary} for the resource metrics, and
 * {@code /exec/{namespace}/{pod}/{container}},
 * {@code /attach/...} and {@code /portForward/{namespace}/{pod}}, whose upgraded connections are proxied to
 * the container runtime's streaming server. Every client must present a certificate the given TLS context
 * trusts (the cluster's client CA): the containers are nobody else's to read or enter.
 *
 * <p>Netty's event loops only move bytes; each request is served on a virtual thread of its own (CRI calls
 * and log files block).
 */
public final class KubeletServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeletServer.class);
    /** Kubelet's default port. */
    public static final int DEFAULT_PORT = 10250;
    /** How long a log write may wait for a client that does not read before it is cut off. */
    private static final long SLOW_CLIENT_SECONDS = 30;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The node's stats Summary, built when asked. */
    @FunctionalInterface
    public interface SummarySource {
        Summary summary() throws IOException;
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;

    /**
     * @param port the port (0: any free one)
     * @param tls  the serving certificate and the CA that client certificates must chain to
     */
    public record Serving(int port, SSLContext tls) {
    }

    private KubeletServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
    }

    public static KubeletServer start(Serving serving, ContainerLogs logs, ContainerStreams streams,
            SummarySource summaries) throws IOException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SSLEngine engine = serving.tls().createSSLEngine();
                            engine.setUseClientMode(false);
                            engine.setNeedClientAuth(true);
                            ch.pipeline().addLast(new SslHandler(engine), new HttpServerCodec(),
                                    new HttpServerKeepAliveHandler(), new Handler(logs, streams, summaries));
                        }
                    })
                    .bind(new InetSocketAddress(serving.port())).sync().channel();
            KubeletServer server = new KubeletServer(boss, workers, channel);
            log.info("kubelet API serving port={}", server.port());
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(boss, workers);
            throw new IOException("interrupted while binding port " + serving.port(), e);
        } catch (RuntimeException e) {
            shutdown(boss, workers);
            throw new IOException(e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Routes each request to its handler on a virtual thread; later requests wait (reading stops). */
    static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private final ContainerLogs logs;
        private final ContainerStreams streams;
        private final SummarySource summaries;

        Handler(ContainerLogs logs, ContainerStreams streams, SummarySource summaries) {
            this.logs = logs;
            this.streams = streams;
            this.summaries = summaries;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            // Requests here carry no body: their content parts (empty) are dropped.
            if (msg instanceof HttpRequest request) {
                ctx.channel().config().setAutoRead(false);
                Thread.ofVirtual().name("kubelet " + request.method() + " " + request.uri())
                        .start(() -> serve(ctx, request));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("kubelet API connection error: {}", cause.toString());
            ctx.close();
        }

        private void serve(ChannelHandlerContext ctx, HttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String[] path = uri.rawPath().split("/");
            for (int i = 0; i < path.length; i++) {
                path[i] = QueryStringDecoder.decodeComponent(path[i]);
            }
            Map<String, List<String>> query = uri.parameters();
            String route = path.length > 1 ? path[1] : "";
            boolean getOrPost = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.POST);
            try {
                switch (route) {
                    case "containerLogs" -> {
                        if (path.length != 5) {
                            text(ctx, 404, "404 page not found\n");
                        } else if (!request.method().equals(HttpMethod.GET)) {
                            text(ctx, 405, "405 method not allowed\n");
                        } else {
                            containerLogs(ctx, path[2], path[3], path[4], query);
                        }
                    }
                    case "exec", "attach" -> {
                        if (path.length != 5) {
                            text(ctx, 404, "404 page not found\n");
                        } else if (!getOrPost) {
                            text(ctx, 405, "405 method not allowed\n");
                        } else {
                            ContainerStreams.Streams wanted = streams(query);
                            URI target = route.equals("exec")
                                    ? streams.exec(path[2], path[3], path[4], query.getOrDefault("command", List.of()),
                                            wanted)
                                    : streams.attach(path[2], path[3], path[4], wanted);
                            UpgradeProxy.proxy(ctx.channel(), request, target, reason -> text(ctx, 500, reason));
                        }
                    }
                    case "portForward" -> {
                        if (path.length != 4) {
                            text(ctx, 404, "404 page not found\n");
                        } else if (!getOrPost) {
                            text(ctx, 405, "405 method not allowed\n");
                        } else {
                            URI target = streams.portForward(path[2], path[3], ports(query));
                            UpgradeProxy.proxy(ctx.channel(), request, target, reason -> text(ctx, 500, reason));
                        }
                    }
                    case "stats" -> {
                        if (path.length != 3 || !path[2].equals("summary")) {
                            text(ctx, 404, "404 page not found\n");
                        } else if (!request.method().equals(HttpMethod.GET)) {
                            text(ctx, 405, "405 method not allowed\n");
                        } else {
                            summary(ctx, query);
                        }
                    }
                    default -> text(ctx, 404, "404 page not found\n");
                }
            } catch (IllegalArgumentException e) {
                text(ctx, 400, e.getMessage());
            } catch (NoSuchElementException e) {
                text(ctx, 404, e.getMessage());
            } catch (RuntimeException e) {
                // A CRI failure (the runtime refused or is away): kubelet answers its message with a 500.
                log.debug("kubelet API request failed uri={}", request.uri(), e);
                text(ctx, 500, e.getMessage());
            }
        }

        /**
         * {@code GET /stats/summary}; with {@code only_cpu_and_memory=true} (what metrics-server asks for) only
         * the node's, pods' and containers' CPU and memory.
         */
        private void summary(ChannelHandlerContext ctx, Map<String, List<String>> query) {
            Summary summary;
            try {
                summary = summaries.summary();
            } catch (IOException | RuntimeException e) {
                log.warn("stats summary failed", e);
                text(ctx, 500, "Internal Error: failed to get node stats: " + e.getMessage() + "\n");
                return;
            }
            if (query.getOrDefault("only_cpu_and_memory", List.of()).contains("true")) {
                summary = summary.onlyCpuAndMemory();
            }
            respond(ctx, 200, "application/json", JSON.writeValueAsBytes(summary));
        }

        private void containerLogs(ChannelHandlerContext ctx, String namespace, String pod, String container,
                Map<String, List<String>> query) {
            LogOptions options = LogOptions.parse(query, Instant.now());
            ContainerLogs.Source source = logs.find(namespace, pod, container, options.previous());
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.writeAndFlush(head);
            try (ChunkedBody body = new ChunkedBody(ctx.channel(), SLOW_CLIENT_SECONDS)) {
                CriLogReader.copy(source.file(), options, source.running(), body);
            } catch (IOException e) {
                // The client went away, or the file with its container.
                log.debug("container log stream ended: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Kubelet's reading of the streams asked for: {@code input}, {@code output}, {@code error}, {@code tty}. */
    static ContainerStreams.Streams streams(Map<String, List<String>> query) {
        boolean tty = one(query, "tty");
        boolean stdin = one(query, "input");
        boolean stdout = one(query, "output");
        // A terminal has one output stream: stderr is merged into stdout.
        boolean stderr = one(query, "error") && !tty;
        if (!stdin && !stdout && !stderr) {
            throw new IllegalArgumentException("you must specify at least 1 of stdin, stdout, stderr");
        }
        return new ContainerStreams.Streams(stdin, stdout, stderr, tty);
    }

    private static boolean one(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values != null && !values.isEmpty() && values.get(0).equals("1");
    }

    static List<Integer> ports(Map<String, List<String>> query) {
        List<Integer> ports = new ArrayList<>();
        for (String value : query.getOrDefault("port", List.of())) {
            for (String port : value.split(",")) {
                try {
                    int number = Integer.parseInt(port.strip());
                    if (number < 1 || number > 65535) {
                        throw new NumberFormatException();
                    }
                    ports.add(number);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid port " + port);
                }
            }
        }
        return ports;
    }

    private static void text(ChannelHandlerContext ctx, int status, String message) {
        respond(ctx, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    /** A whole answer; the connection reads its next request once it is written. */
    private static void respond(ChannelHandlerContext ctx, int status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, body.length);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        shutdown(boss, workers);
    }
}
