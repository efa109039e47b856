package io.kybern.apiserver.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.pki.ServingTls;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body in pieces ({@link ApiResponder#respondPieces}) through the real listener, over HTTP/1.1 and over HTTP/2
 * with TLS: the client receives exactly the pieces joined, with their length, whatever their number and size.
 */
class PiecesResponseTest {

    /** Pieces of a few kilobytes each, about six megabytes in all: many batches of the writer. */
    private static final List<byte[]> LARGE = pieces(1_000, 4_096, 1);
    /** Small pieces, some empty, as a list's commas and an empty item would be. */
    private static final List<byte[]> SMALL = List.of(bytes("{\"items\":["), new byte[0], bytes("{}"), bytes(","),
            bytes("{}"), new byte[0], bytes("]}"));

    @TempDir
    Path dir;

    private HttpApiServer server;
    private final CompletableFuture<Void> answered = new CompletableFuture<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers /large, /small and anything else (empty) with those pieces; {@link #answered} once /large's returned. */
    private void serve(SslContext tls) throws Exception {
        server = HttpApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls,
                (request, responder) -> {
                    List<byte[]> pieces = switch (request.path()) {
                        case "/large" -> LARGE;
                        case "/small" -> SMALL;
                        default -> List.of();
                    };
                    responder.header("Warning", "299 - \"kept\"");
                    responder.respondPieces(200, "application/json", pieces);
                    if (request.path().equals("/large")) {
                        answered.complete(null);
                    }
                });
    }

    @Test
    void http1ClientsReceiveThePiecesJoined() throws Exception {
        serve(null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + server.address().getPort();
        for (int round = 0; round < 2; round++) {
            // Twice on one keep-alive connection: the first answer ended where its length said.
            assertAnswers(client, base, HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void http2ClientsOverTlsReceiveThePiecesJoined() throws Exception {
        ClusterPki pki = ClusterPki.loadOrCreate(dir.resolve("tls"), ServingNames.standard(), Clock.systemUTC());
        serve(ServingTls.forApiServer(pki));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.serverCaCertificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(context).build();
        assertAnswers(client, "https://127.0.0.1:" + server.address().getPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void aClientThatLeavesMidwayEndsTheAnswerAndTheServerServesOn() throws Exception {
        serve(null);
        int port = server.address().getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            // A small receive buffer, read a little and gone: the server cannot have sent it all yet.
            socket.setReceiveBufferSize(4096);
            OutputStream out = socket.getOutputStream();
            out.write("GET /large HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(16 * 1024)).hasSize(16 * 1024);
        }
        // The request's thread returns rather than wait for a client that is not there.
        answered.get(40, TimeUnit.SECONDS);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> again = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/small")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(again.body()).isEqualTo(joined(SMALL));
    }

    private static void assertAnswers(HttpClient client, String base, HttpClient.Version version) throws Exception {
        for (String path : List.of("/large", "/small", "/empty")) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            List<byte[]> sent = switch (path) {
                case "/large" -> LARGE;
                case "/small" -> SMALL;
                default -> List.of();
            };
            assertThat(response.version()).isEqualTo(version);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(response.headers().firstValue("warning")).hasValue("299 - \"kept\"");
            assertThat(response.headers().firstValueAsLong("content-length")).hasValue(joined(sent).length);
            assertThat(response.body()).isEqualTo(joined(sent));
        }
    }

    private static List<byte[]> pieces(int count, int size, long seed) {
        Random random = new Random(seed);
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] piece = new byte[size + random.nextInt(size)];
            random.nextBytes(piece);
            pieces.add(piece);
        }
        return pieces;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] joined(List<byte[]> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
