package io.kybern.cli.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.kybern.apiserver.http.ApiHandler;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Requests handed to a handler in the same JVM, and its answers read back as fabric8 reads a network's. */
class InProcessTransportTest {

    private static final UserInfo ADMIN = new UserInfo("system:admin", List.of("system:masters", "system:authenticated"));

    private static InProcessHttpClient client(ApiHandler handler) {
        return new InProcessTransport(handler, ADMIN).newBuilder().build();
    }

    /** Sends a request, asks for every piece of the answer as it comes, and returns the answer's head. */
    private static HttpResponse<AsyncBody> send(InProcessHttpClient client, StandardHttpRequest request,
            Consumer<String> pieces) throws Exception {
        HttpResponse<AsyncBody> response = client.consumeBytesDirect(request, (buffers, body) -> {
            StringBuilder text = new StringBuilder();
            buffers.forEach(buffer -> text.append(StandardCharsets.UTF_8.decode(buffer)));
            pieces.accept(text.toString());
            body.consume();
        }).get(10, TimeUnit.SECONDS);
        response.body().consume();
        return response;
    }

    private static StandardHttpRequest request(InProcessHttpClient client, String uri) {
        return (StandardHttpRequest) client.newHttpRequestBuilder().uri(uri).build();
    }

    @Test
    void theHandlerGetsTheRequestAsTheNetworkWouldHandItOver() throws Exception {
        AtomicReference<ApiRequest> seen = new AtomicReference<>();
        InProcessHttpClient client = client((request, responder) -> {
            seen.set(request);
            responder.header("Warning", "299 - \"careful\"");
            responder.respond(201, "application/json", "{\"kind\":\"ConfigMap\"}".getBytes(StandardCharsets.UTF_8));
        });
        StandardHttpRequest post = (StandardHttpRequest) client.newHttpRequestBuilder()
                .uri("https://127.0.0.1:6443/api/v1/namespaces/a/configmaps?labelSelector=app%3Dweb%2Ctier&limit=5")
                .header("User-Agent", "kube-controller-manager/v1").post("application/json", "{\"data\":{}}").build();
        List<String> body = new ArrayList<>();

        HttpResponse<AsyncBody> response = send(client, post, body::add);
        response.body().done().get(10, TimeUnit.SECONDS);

        ApiRequest request = seen.get();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v1/namespaces/a/configmaps");
        assertThat(request.param("labelSelector")).isEqualTo("app=web,tier");
        assertThat(request.param("limit")).isEqualTo("5");
        assertThat(request.header("user-agent")).isEqualTo("kube-controller-manager/v1");
        assertThat(request.header("Content-Type")).startsWith("application/json");
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"data\":{}}");
        assertThat(request.user()).isEqualTo(ADMIN);
        assertThat(response.code()).isEqualTo(201);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.header("Warning")).isEqualTo("299 - \"careful\"");
        assertThat(String.join("", body)).isEqualTo("{\"kind\":\"ConfigMap\"}");
    }

    @Test
    void whatTheHandlerThrowsIsAnsweredAsAStatus() throws Exception {
        InProcessHttpClient notFound = client((request, responder) -> {
            throw ApiException.notFound("configmaps", "", "gone");
        });
        List<String> body = new ArrayList<>();
        HttpResponse<AsyncBody> response = send(notFound, request(notFound, "https://x/api/v1/configmaps/gone"), body::add);
        response.body().done().get(10, TimeUnit.SECONDS);
        assertThat(response.code()).isEqualTo(404);
        assertThat(String.join("", body)).contains("\"kind\":\"Status\"", "\"reason\":\"NotFound\"",
                "configmaps \\\"gone\\\" not found");

        InProcessHttpClient broken = client((request, responder) -> {
            throw new IllegalStateException("bug");
        });
        HttpResponse<AsyncBody> internal = send(broken, request(broken, "https://x/api"), piece -> { });
        assertThat(internal.code()).isEqualTo(500);
    }

    @Test
    void aStreamReachesTheClientInOrderAndEndsWhenTheHandlerClosesIt() throws Exception {
        InProcessHttpClient client = client((request, responder) -> {
            try (ResponseStream stream = responder.stream(200, "application/json")) {
                for (int i = 0; i < 500; i++) {
                    assertThat(stream.write((i + "\n").getBytes(StandardCharsets.UTF_8))).isTrue();
                }
            }
        });
        List<String> pieces = Collections.synchronizedList(new ArrayList<>());
        HttpResponse<AsyncBody> response = send(client, (StandardHttpRequest) client.newHttpRequestBuilder()
                .uri("https://x/api/v1/pods?watch=true").forStreaming().build(), pieces::add);

        response.body().done().get(10, TimeUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add(i + "\n");
        }
        assertThat(pieces).containsExactlyElementsOf(expected);
    }

    @Test
    void aWriterWaitsForAClientThatAsksForNothingAndStopsOnceItCancels() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CompletableFuture<Integer> written = new CompletableFuture<>();
        CompletableFuture<Boolean> openAfter = new CompletableFuture<>();
        InProcessHttpClient client = client((request, responder) -> {
            ResponseStream stream = responder.stream(200, "application/json");
            int count = 0;
            while (count < 10 * InProcessBody.MAX_QUEUED) {
                if (count == InProcessBody.MAX_QUEUED) {
                    stuck.countDown();
                }
                if (!stream.write("x".getBytes(StandardCharsets.UTF_8))) {
                    break;
                }
                count++;
            }
            written.complete(count);
            openAfter.complete(stream.isOpen());
            stream.close();
        });
        HttpResponse<AsyncBody> response = client.consumeBytesDirect(request(client, "https://x/api/v1/pods?watch=1"),
                (buffers, body) -> { }).get(10, TimeUnit.SECONDS);

        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(written).as("the writer waits while the client asks for nothing").isNotDone();
        response.body().cancel();

        assertThat(written.get(10, TimeUnit.SECONDS)).isEqualTo(InProcessBody.MAX_QUEUED);
        assertThat(openAfter.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(response.body().done()).isCancelled();
    }

    @Test
    void aRequestWithoutAnAnswerInItsTimeoutFailsAsANetworkOneWould() {
        InProcessHttpClient client = client((request, responder) -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            responder.respond(200, "application/json", new byte[0]);
        });
        StandardHttpRequest slow = (StandardHttpRequest) client.newHttpRequestBuilder().uri("https://x/api")
                .timeout(200, TimeUnit.MILLISECONDS).build();

        assertThatThrownBy(() -> client.consumeBytesDirect(slow, (buffers, body) -> { }).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("no answer within");
    }

    @Test
    void aClosedClientEndsItsStreamsAndSendsNothingMore() throws Exception {
        CompletableFuture<Boolean> refused = new CompletableFuture<>();
        CountDownLatch streaming = new CountDownLatch(1);
        InProcessHttpClient client = client((request, responder) -> {
            ResponseStream stream = responder.stream(200, "application/json");
            streaming.countDown();
            try {
                while (stream.write("x".getBytes(StandardCharsets.UTF_8))) {
                    Thread.sleep(5);
                }
                refused.complete(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        send(client, request(client, "https://x/api/v1/pods?watch=1"), piece -> { });
        assertThat(streaming.await(10, TimeUnit.SECONDS)).isTrue();

        client.close();

        assertThat(refused.get(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> client.consumeBytesDirect(request(client, "https://x/api"), (b, body) -> { })
                .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
    }
}
