package io.kybern.apiserver.http;

import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** Hands each whole request to the {@link ApiHandler} on a virtual thread and writes its answer. */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long a streaming write may wait for a client that does not read before it is cut off. */
    private static final long SLOW_CLIENT_SECONDS = 30;
    /** The largest WebSocket frame a client may send us; watch clients send none but control frames. */
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    /**
     * How much of a body in pieces is handed to the connection at a time: as much as a connection holds before it
     * stops being writable (Netty's default high water mark), so the request's thread wakes about once a batch.
     */
    private static final int PIECES_BATCH_BYTES = 64 * 1024;

    private final ApiHandler handler;

    RequestHandler(ApiHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Map<String, List<String>> headers = new HashMap<>();
        request.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>()).add(h.getValue()));
        ApiRequest apiRequest = new ApiRequest(request.method().name(), uri.path(), uri.parameters(), headers,
                ByteBufUtil.getBytes(request.content()), user(ctx.channel()));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        // fabric8 (and other clients) watch over WebSocket; only HTTP/1.1 connections can upgrade.
        boolean webSocket = "websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))
                && !(ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel);
        FullHttpRequest upgrade = webSocket ? request.retainedDuplicate() : null;
        Thread.ofVirtual().name("request " + request.method() + " " + uri.path()).start(() -> {
            Responder responder = webSocket ? new WebSocketResponder(ctx, upgrade) : new Responder(ctx, keepAlive);
            try {
                handler.handle(apiRequest, responder);
            } catch (ApiException e) {
                responder.fail(e);
            } catch (RuntimeException e) {
                log.error("request failed method={} path={}", apiRequest.method(), apiRequest.path(), e);
                responder.fail(ApiException.internal(e.toString()));
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection error: {}", cause.toString());
        ctx.close();
    }

    static FullHttpResponse statusResponse(ApiException e) {
        byte[] body = JSON.writeValueAsBytes(StatusDocuments.failure(e));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(e.code()), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    /** The user a TLS session authenticated, kept on its connection: every request on it is that user's. */
    private record SessionUser(SSLSession session, UserInfo user) {
    }

    private static final AttributeKey<SessionUser> SESSION_USER = AttributeKey.valueOf(RequestHandler.class,
            "sessionUser");

    /**
     * The client certificate's subject: CN is the user, each O a group (as Kubernetes reads it). Read once
     * per TLS session, not per request: parsing the subject was a noticeable part of a small request's cost.
     */
    private static UserInfo user(Channel channel) {
        // An HTTP/2 stream's TLS is its connection's, its parent; an HTTP/1.1 connection has its own (its
        // parent is the listening socket).
        Channel connection = channel;
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null && channel.parent() != null) {
            connection = channel.parent();
            ssl = connection.pipeline().get(SslHandler.class);
        }
        if (ssl == null) {
            return UserInfo.ANONYMOUS;
        }
        SSLSession session = ssl.engine().getSession();
        Attribute<SessionUser> known = connection.attr(SESSION_USER);
        SessionUser cached = known.get();
        if (cached != null && cached.session() == session) {
            return cached.user();
        }
        UserInfo user = certificateUser(session);
        known.set(new SessionUser(session, user));
        return user;
    }

    private static UserInfo certificateUser(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
                return UserInfo.ANONYMOUS;
            }
            String name = null;
            List<String> groups = new ArrayList<>();
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    name = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
            if (name == null) {
                return UserInfo.ANONYMOUS;
            }
            groups.add("system:authenticated");
            return new UserInfo(name, groups);
        } catch (SSLPeerUnverifiedException e) {
            return UserInfo.ANONYMOUS;
        } catch (javax.naming.InvalidNameException e) {
            log.warn("unreadable client certificate subject: {}", e.getMessage());
            return UserInfo.ANONYMOUS;
        }
    }

    private static class Responder implements ApiResponder {
        final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        final AtomicBoolean answered = new AtomicBoolean();
        private final List<Map.Entry<String, String>> extraHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();

        Responder(ChannelHandlerContext ctx, boolean keepAlive) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
        }

        @Override
        public void header(String name, String value) {
            extraHeaders.add(Map.entry(name, value));
        }

        /** Takes the request's one answer; a second one is the caller's bug. */
        void claimAnswer() {
            if (!answered.compareAndSet(false, true)) {
                throw new IllegalStateException("already answered");
            }
        }

        /** The headers every answer carries: those {@link #header} added, and its content type. */
        private void withHeaders(HttpResponse response, String contentType) {
            extraHeaders.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }

        @Override
        public void respond(int status, String contentType, byte[] body) {
            claimAnswer();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
            withHeaders(response, contentType);
            HttpUtil.setContentLength(response, body.length);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response);
        }

        /**
         * The pieces are copied into pooled buffers of about {@link #PIECES_BATCH_BYTES} and written one batch at a
         * time; the next batch waits while the connection holds more than it can send. What is in flight for one
         * answer stays at about a batch whatever the body's size, where one {@code FullHttpResponse} queued the
         * whole body (and its TLS records) at once. Not a composite buffer over the pieces themselves: TLS copies
         * what it encrypts into records, and a record's worth of a composite of many small arrays came out of
         * Netty as a fresh array each time, as much garbage as the body again.
         */
        @Override
        public void respondPieces(int status, String contentType, List<byte[]> pieces) {
            claimAnswer();
            long length = 0;
            for (byte[] piece : pieces) {
                length += piece.length;
            }
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            withHeaders(response, contentType);
            HttpUtil.setContentLength(response, length);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.write(response);
            ByteBuf batch = null;
            for (byte[] piece : pieces) {
                if (batch != null && batch.writableBytes() < piece.length) {
                    ByteBuf full = batch;
                    batch = null;
                    if (!writeAndWait(new DefaultHttpContent(full))) {
                        // The client left, or read nothing for too long: nobody is left to answer.
                        return;
                    }
                }
                if (batch == null) {
                    batch = ctx.alloc().heapBuffer(Math.max(PIECES_BATCH_BYTES, piece.length));
                }
                batch.writeBytes(piece);
            }
            ctx.writeAndFlush(new DefaultLastHttpContent(batch == null ? Unpooled.EMPTY_BUFFER : batch));
        }

        /** Writes, and waits while the connection cannot take more; false once the connection is gone. */
        private boolean writeAndWait(Object message) {
            ChannelFuture written = ctx.writeAndFlush(message);
            if (!ctx.channel().isWritable()
                    && !written.awaitUninterruptibly(SLOW_CLIENT_SECONDS, TimeUnit.SECONDS)) {
                ctx.close();
                return false;
            }
            return ctx.channel().isActive();
        }

        void fail(ApiException e) {
            if (answered.get()) {
                log.debug("failure after the response started: {}", e.getMessage());
                return;
            }
            respond(e.code(), "application/json", JSON.writeValueAsBytes(StatusDocuments.failure(e)));
        }

        @Override
        public ResponseStream stream(int status, String contentType) {
            claimAnswer();
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            withHeaders(response, contentType);
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.writeAndFlush(response);
            return new ChunkedStream(ctx);
        }

        @Override
        public void upgrade(java.util.function.Consumer<Channel> tunnel) {
            if (ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel) {
                throw ApiException.badRequest("Upgrade request required over HTTP/1.1");
            }
            claimAnswer();
            Channel channel = ctx.channel();
            channel.eventLoop().execute(() -> {
                // A client that asked to upgrade sends nothing more until it is answered: the HTTP decoder
                // holds no byte of the new protocol when it leaves.
                var pipeline = channel.pipeline();
                for (Class<? extends io.netty.channel.ChannelHandler> http : List.of(RequestHandler.class,
                        BodyAggregator.class, HttpServerKeepAliveHandler.class, HttpServerCodec.class)) {
                    if (pipeline.get(http) != null) {
                        pipeline.remove(http);
                    }
                }
                tunnel.accept(channel);
                channel.config().setAutoRead(true);
            });
        }
    }

    /**
     * A request that asked to upgrade to WebSocket: a stream (a watch) is sent as one WebSocket message
     * per piece after the handshake, as Kubernetes serves watches to WebSocket clients; any other answer
     * (an error, a plain object) is an ordinary HTTP response and the connection is not upgraded.
     */
    private static final class WebSocketResponder extends Responder {
        private final FullHttpRequest upgrade;

        WebSocketResponder(ChannelHandlerContext ctx, FullHttpRequest upgrade) {
            super(ctx, false);
            this.upgrade = upgrade;
        }

        @Override
        public void respond(int status, String contentType, byte[] body) {
            try {
                super.respond(status, contentType, body);
            } finally {
                upgrade.release();
            }
        }

        @Override
        public void respondPieces(int status, String contentType, List<byte[]> pieces) {
            try {
                super.respondPieces(status, contentType, pieces);
            } finally {
                upgrade.release();
            }
        }

        @Override
        public void upgrade(java.util.function.Consumer<Channel> tunnel) {
            try {
                super.upgrade(tunnel);
            } finally {
                upgrade.release();
            }
        }

        @Override
        public ResponseStream stream(int status, String contentType) {
            claimAnswer();
            boolean binary = !contentType.startsWith("application/json");
            try {
                String url = "wss://" + upgrade.headers().get(HttpHeaderNames.HOST, "localhost") + upgrade.uri();
                WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, false,
                        MAX_FRAME_BYTES).newHandshaker(upgrade);
                if (handshaker == null) {
                    WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                    return new ClosedStream();
                }
                ChannelFuture handshake = handshaker.handshake(ctx.channel(), upgrade);
                handshake.awaitUninterruptibly();
                if (!handshake.isSuccess()) {
                    ctx.close();
                    return new ClosedStream();
                }
                ctx.pipeline().addBefore(ctx.name(), "websocket-control", new WebSocketControl());
                log.debug("stream over websocket uri={}", upgrade.uri());
                return new WebSocketStream(ctx, binary);
            } finally {
                upgrade.release();
            }
        }
    }

    /** Answers the client's pings and honours its close: a watch ends when its client leaves. */
    private static final class WebSocketControl extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (frame instanceof CloseWebSocketFrame) {
                ctx.close();
            }
        }
    }

    /** One WebSocket message per piece: a watch event, without the newline that separates HTTP chunks. */
    private static final class WebSocketStream implements ResponseStream {
        private final ChannelHandlerContext ctx;
        private final boolean binary;
        private final AtomicBoolean closed = new AtomicBoolean();

        WebSocketStream(ChannelHandlerContext ctx, boolean binary) {
            this.ctx = ctx;
            this.binary = binary;
        }

        @Override
        public boolean write(byte[] piece) {
            if (!isOpen()) {
                return false;
            }
            int length = !binary && piece.length > 0 && piece[piece.length - 1] == '\n' ? piece.length - 1
                    : piece.length;
            var content = Unpooled.wrappedBuffer(piece, 0, length);
            WebSocketFrame frame = binary ? new BinaryWebSocketFrame(content) : new TextWebSocketFrame(content);
            ChannelFuture written = ctx.channel().writeAndFlush(frame);
            if (!ctx.channel().isWritable()
                    && !written.awaitUninterruptibly(SLOW_CLIENT_SECONDS, TimeUnit.SECONDS)) {
                ctx.close();
                return false;
            }
            return isOpen();
        }

        @Override
        public boolean isOpen() {
            return !closed.get() && ctx.channel().isActive();
        }

        /**
         * Says goodbye with a close frame, unless the server is stopping: its event loop then closes every
         * connection itself, and a frame handed to a loop that has ended is refused (which Netty logs as an
         * error).
         */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && ctx.channel().isActive() && !ctx.executor().isShuttingDown()) {
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(1000, ""))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }
    }

    /** A stream that ended before it began (a failed handshake). */
    private static final class ClosedStream implements ResponseStream {
        @Override
        public boolean write(byte[] piece) {
            return false;
        }

        @Override
        public boolean isOpen() {
            return false;
        }

        @Override
        public void close() {
            // Nothing was started.
        }
    }

    private static final class ChunkedStream implements ResponseStream {
        private final ChannelHandlerContext ctx;
        private final AtomicBoolean closed = new AtomicBoolean();

        ChunkedStream(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public boolean write(byte[] piece) {
            if (!isOpen()) {
                return false;
            }
            ChannelFuture written = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(piece)));
            if (!ctx.channel().isWritable()) {
                // The client reads slower than we write: wait for it rather than buffer without bound.
                if (!written.awaitUninterruptibly(SLOW_CLIENT_SECONDS, TimeUnit.SECONDS)) {
                    ctx.close();
                    return false;
                }
            }
            return isOpen();
        }

        @Override
        public boolean isOpen() {
            return !closed.get() && ctx.channel().isActive();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && ctx.channel().isActive()) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
    }
}
