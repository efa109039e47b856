package io.kybern.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.apiserver.http.HttpApiServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real TLS handshakes on loopback with the cluster's certificates and the server's TLS settings. */
class ServingTlsTest {

    @TempDir
    static Path dataDir;

    private static ClusterPki pki;
    private static EventLoopGroup group;
    private static Channel server;
    /**
     * What the server saw of each handshake, by the client's port: the client's subject, "anonymous",
     * or "failed: ...". Keyed so that a late event from one test cannot be read by the next.
     */
    private static final Map<Integer, CompletableFuture<String>> handshakes = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        // Real time: the JDK judges certificate validity by the system clock.
        pki = ClusterPki.loadOrCreate(dataDir.resolve("tls"), ServingNames.standard(), Clock.systemUTC());
        SslContext tls = ServingTls.forApiServer(pki);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HandshakeRecorder());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Records the peer, then greets it, so the client can tell the server accepted the handshake. */
    private static final class HandshakeRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent done) {
                CompletableFuture<String> seen = handshake(((InetSocketAddress) ctx.channel().remoteAddress())
                        .getPort());
                if (!done.isSuccess()) {
                    seen.complete("failed: " + done.cause());
                    return;
                }
                try {
                    seen.complete(ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerPrincipal()
                            .getName());
                } catch (SSLPeerUnverifiedException e) {
                    seen.complete("anonymous");
                }
                ctx.writeAndFlush(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Refused handshakes are expected here and already recorded above.
            ctx.close();
        }
    }

    private static int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static CompletableFuture<String> handshake(int clientPort) {
        return handshakes.computeIfAbsent(clientPort, port -> new CompletableFuture<>());
    }

    /** A new connection to the test server; its local port names its handshake. */
    private static Socket dial() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port());
    }

    private static String serverSaw(Socket connection) throws Exception {
        int clientPort = connection.getLocalPort();
        try {
            return handshake(clientPort).get(20, TimeUnit.SECONDS);
        } finally {
            handshakes.remove(clientPort);
        }
    }

    private static String readLine(SSLSocket socket) throws Exception {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "::1", "kubernetes.default.svc"})
    void theAdminIsKnownByItsCertificateAndTheServerByItsName(String hostname) throws Exception {
        SSLContext client = TestTls.clientContext(pki.serverCaCertificate(), pki.admin());

        Socket connection = dial();
        try (SSLSocket socket = TestTls.connect(client, connection, hostname)) {
            assertThat(readLine(socket)).isEqualTo("hello");
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(pki.servingCertificate());
        }
        assertThat(serverSaw(connection)).isEqualTo("CN=system:admin,O=system:masters");
    }

    @Test
    void aNameTheCertificateLacksFailsHostnameVerification() throws Exception {
        SSLContext client = TestTls.clientContext(pki.serverCaCertificate(), pki.admin());

        assertThatThrownBy(() -> TestTls.connect(client, port(), "elsewhere.example"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("elsewhere.example");
    }

    @Test
    void aClientThatTrustsOnlyTheClientCaRejectsTheServer() throws Exception {
        SSLContext client = TestTls.clientContext(pki.clientCaCertificate(), pki.admin());

        assertThatThrownBy(() -> TestTls.connect(client, port(), "127.0.0.1"))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void withoutAClientCertificateTheConnectionIsAnonymous() throws Exception {
        SSLContext client = TestTls.clientContext(pki.serverCaCertificate(), null);

        Socket connection = dial();
        try (SSLSocket socket = TestTls.connect(client, connection, "localhost")) {
            assertThat(readLine(socket)).isEqualTo("hello");
        }
        assertThat(serverSaw(connection)).isEqualTo("anonymous");
    }

    @Test
    void issuedClientCertificatesAuthenticateTheirUser() throws Exception {
        CertifiedKey node = pki.issueClientCertificate("system:node:n1", List.of("system:nodes"), Duration.ofHours(1));
        SSLContext client = TestTls.clientContext(pki.serverCaCertificate(), node);

        Socket connection = dial();
        try (SSLSocket socket = TestTls.connect(client, connection, "127.0.0.1")) {
            assertThat(readLine(socket)).isEqualTo("hello");
        }
        assertThat(serverSaw(connection)).isEqualTo("CN=system:node:n1,O=system:nodes");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        // Signed by a CA the server does not trust for clients: a serving-side identity must not log in.
        CertificateAuthority stranger = CertificateAuthority.generate("stranger", Duration.ofDays(1),
                Clock.systemUTC());
        CertifiedKey impostor = stranger.issueClient("system:admin", List.of("system:masters"), Duration.ofHours(1));
        SSLContext client = TestTls.insistingClientContext(pki.serverCaCertificate(), impostor);

        // With TLS 1.3 the client's handshake ends before the server has judged its certificate; the
        // refusal arrives on the first read.
        Socket connection = dial();
        assertThatThrownBy(() -> {
            try (SSLSocket socket = TestTls.connect(client, connection, "127.0.0.1")) {
                readLine(socket);
            }
        }).isInstanceOf(SSLException.class);
        assertThat(serverSaw(connection)).startsWith("failed:");
    }

    @Test
    void theServingCertificateCannotLogIn() throws Exception {
        // Signed by the server CA, which the server does not trust for clients: the reason for two CAs.
        SSLContext client = TestTls.insistingClientContext(pki.serverCaCertificate(), pki.serving());

        Socket connection = dial();
        assertThatThrownBy(() -> {
            try (SSLSocket socket = TestTls.connect(client, connection, "127.0.0.1")) {
                readLine(socket);
            }
        }).isInstanceOf(SSLException.class);
        assertThat(serverSaw(connection)).startsWith("failed:");
    }

    @Test
    void theApiServerListenerNegotiatesHttp2AndSeesTheAdmin() throws Exception {
        try (HttpApiServer api = TestTls.whoAmIServer(pki);
                HttpClient http = HttpClient.newBuilder()
                        .sslContext(TestTls.clientContext(pki.serverCaCertificate(), pki.admin()))
                        .connectTimeout(Duration.ofSeconds(20)).build()) {
            for (String host : List.of("127.0.0.1", "localhost")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("https://" + host + ":" + api.address().getPort() + "/whoami")).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(response.body()).isEqualTo(
                        "user=system:admin groups=system:masters,system:authenticated authorization=none\n");
            }
        }
    }

    /** WebSocket upgrades (fabric8's watches, exec) always come over HTTP/1.1. */
    @Test
    void overHttp11TheApiServerListenerSeesTheAdminToo() throws Exception {
        try (HttpApiServer api = TestTls.whoAmIServer(pki);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(TestTls.clientContext(pki.serverCaCertificate(), pki.admin()))
                        .connectTimeout(Duration.ofSeconds(20)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + api.address().getPort() + "/whoami")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).isEqualTo(
                    "user=system:admin groups=system:masters,system:authenticated authorization=none\n");
        }
    }
    /**
     * A body over the limit is answered with the 413 Status before it was all sent; over HTTP/2 the
     * stream then ends without error, so the client reads that answer instead of failing the request.
     */
    @ParameterizedTest
    @ValueSource(strings = {"HTTP_2", "HTTP_1_1"})
    void anOversizeBodyIsAnsweredWithTheTooLargeStatus(String version) throws Exception {
        byte[] oversize = new byte[HttpApiServer.MAX_BODY_BYTES + 1024];
        try (HttpApiServer api = TestTls.whoAmIServer(pki);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.valueOf(version))
                        .sslContext(TestTls.clientContext(pki.serverCaCertificate(), pki.admin()))
                        .connectTimeout(Duration.ofSeconds(20)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + api.address().getPort() + "/whoami"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(oversize)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.valueOf(version));
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).contains("\"reason\":\"RequestEntityTooLarge\"",
                    "\"message\":\"Request entity too large: limit is 3145728\"");
        }
    }
}
