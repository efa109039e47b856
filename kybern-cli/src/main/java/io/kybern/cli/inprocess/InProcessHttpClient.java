package io.kybern.cli.inprocess;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.http.StandardWebSocketBuilder;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketResponse;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.status.ApiException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fabric8 client of an {@link InProcessTransport}: one handler call per request, on a virtual thread. */
public final class InProcessHttpClient
        extends StandardHttpClient<InProcessHttpClient, InProcessTransport, InProcessHttpClient.Builder> {

    private static final Logger log = LoggerFactory.getLogger(InProcessHttpClient.class);

    private final InProcessTransport transport;
    /** Streamed answers still open, ended when the client closes as a connection's would be. */
    private final Set<InProcessBody> open;

    private InProcessHttpClient(Builder builder, AtomicBoolean closed, Set<InProcessBody> open) {
        super(builder, closed);
        this.transport = builder.getClientFactory();
        this.open = open;
    }

    @Override
    public CompletableFuture<WebSocketResponse> buildWebSocketDirect(StandardWebSocketBuilder webSocket,
            WebSocket.Listener listener) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "WebSocket is not served in process; in-process clients watch over HTTP"));
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytesDirect(StandardHttpRequest request,
            AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (isClosed()) {
            return CompletableFuture.failedFuture(new IOException("the client is closed"));
        }
        ApiRequest apiRequest;
        try {
            apiRequest = apiRequest(request);
        } catch (UncheckedIOException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
        InProcessExchange exchange = new InProcessExchange(request, consumer, open);
        Thread.ofVirtual().name("in-process " + apiRequest.method() + " " + apiRequest.path()).start(() -> {
            try {
                transport.handler().handle(apiRequest, exchange);
            } catch (ApiException e) {
                exchange.fail(e);
            } catch (RuntimeException e) {
                log.error("request failed method={} path={}", apiRequest.method(), apiRequest.path(), e);
                exchange.fail(ApiException.internal(e.toString()));
            }
        });
        Duration timeout = request.getTimeout();
        if (request.isForStreaming() || timeout == null || timeout.isZero() || timeout.isNegative()) {
            return exchange.response();
        }
        // As a network client's request timeout: a limit on the wait for the answer's head, an IOException
        // (which fabric8 retries). An answer that comes later is dropped.
        CompletableFuture<HttpResponse<AsyncBody>> result = new CompletableFuture<>();
        exchange.response().whenComplete((response, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (!result.complete(response)) {
                response.body().cancel();
            }
        });
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(failure ->
                CompletableFuture.failedFuture(failure instanceof TimeoutException
                        ? new IOException("no answer within " + timeout + " to " + apiRequest.method() + " "
                                + apiRequest.path())
                        : failure));
    }

    /** The request as the HTTP layer would hand it to the handler: decoded path and query, lower-case headers. */
    private ApiRequest apiRequest(StandardHttpRequest request) {
        URI uri = request.uri();
        QueryStringDecoder decoded = new QueryStringDecoder(uri.getRawQuery() == null ? uri.getRawPath()
                : uri.getRawPath() + "?" + uri.getRawQuery());
        Map<String, List<String>> headers = new HashMap<>();
        request.headers().forEach((name, values) -> headers.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                k -> new ArrayList<>()).addAll(values));
        if (request.getContentType() != null) {
            headers.computeIfAbsent("content-type", k -> new ArrayList<>(List.of(request.getContentType())));
        }
        return new ApiRequest(request.method(), decoded.path(), decoded.parameters(), headers, body(request),
                transport.user());
    }

    private static byte[] body(StandardHttpRequest request) {
        return switch (request.body()) {
            case null -> new byte[0];
            case StandardHttpRequest.StringBodyContent text -> text.getContent().getBytes(StandardCharsets.UTF_8);
            case StandardHttpRequest.ByteArrayBodyContent bytes -> bytes.getContent();
            case StandardHttpRequest.InputStreamBodyContent stream -> {
                try (InputStream in = stream.getContent()) {
                    yield in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException("unknown request body " + request.body().getClass());
        };
    }

    @Override
    protected void doClose() {
        open.forEach(InProcessBody::cancel);
    }

    /** Builds the client; a client derived from another shares its open answers and its closing. */
    public static final class Builder
            extends StandardHttpClientBuilder<InProcessHttpClient, InProcessTransport, Builder> {

        Builder(InProcessTransport transport) {
            super(transport);
        }

        @Override
        public InProcessHttpClient build() {
            if (client != null) {
                return new InProcessHttpClient(this, client.getClosed(), client.open);
            }
            return new InProcessHttpClient(this, new AtomicBoolean(), ConcurrentHashMap.newKeySet());
        }

        @Override
        protected Builder newInstance(InProcessTransport transport) {
            return new Builder(transport);
        }
    }
}
