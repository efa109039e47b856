package io.kybern.cli.inprocess;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpHeaders;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * One request's answer, from the handler to the fabric8 client: the head completes {@link #response()}, the
 * body is handed to the client's consumer as it asks for it.
 */
final class InProcessExchange implements ApiResponder {

    private static final Logger log = LoggerFactory.getLogger(InProcessExchange.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * The client's code runs where a network client's would, on a thread of the transport rather than on the
     * handler's: what the client does when the answer arrives (often another request) must not hold up the
     * handler, a watch's especially.
     */
    private static final Executor CLIENT_THREADS = Executors.newVirtualThreadPerTaskExecutor();

    private final HttpRequest request;
    private final AsyncBody.Consumer<List<ByteBuffer>> consumer;
    private final Set<InProcessBody> open;
    private final CompletableFuture<HttpResponse<AsyncBody>> response = new CompletableFuture<>();
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final AtomicBoolean answered = new AtomicBoolean();

    InProcessExchange(HttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer, Set<InProcessBody> open) {
        this.request = request;
        this.consumer = consumer;
        this.open = open;
    }

    CompletableFuture<HttpResponse<AsyncBody>> response() {
        return response;
    }

    @Override
    public synchronized void header(String name, String value) {
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        respondPieces(status, contentType, List.of(body));
    }

    /** The pieces reach the client as one list of buffers over them, without a copy. */
    @Override
    public void respondPieces(int status, String contentType, List<byte[]> pieces) {
        InProcessBody body = start(status, contentType, false);
        List<ByteBuffer> buffers = new ArrayList<>(pieces.size());
        pieces.forEach(piece -> buffers.add(ByteBuffer.wrap(piece)));
        body.offer(buffers);
        body.end();
    }

    @Override
    public ResponseStream stream(int status, String contentType) {
        InProcessBody body = start(status, contentType, true);
        return new ResponseStream() {
            @Override
            public boolean write(byte[] piece) {
                return body.offer(List.of(ByteBuffer.wrap(piece)));
            }

            @Override
            public boolean isOpen() {
                return body.isOpen();
            }

            @Override
            public void close() {
                body.end();
                open.remove(body);
            }
        };
    }

    /** A failure the handler threw: its Status, unless the answer had started, which then just ends. */
    void fail(ApiException e) {
        if (answered.get()) {
            log.debug("failure after the response started: {}", e.getMessage());
            return;
        }
        respond(e.code(), "application/json", JSON.writeValueAsBytes(StatusDocuments.failure(e)));
    }

    private InProcessBody start(int status, String contentType, boolean streamed) {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("already answered");
        }
        InProcessBody body = new InProcessBody(consumer);
        if (streamed) {
            open.add(body);
        }
        Map<String, List<String>> head;
        synchronized (this) {
            header("Content-Type", contentType);
            head = Map.copyOf(headers);
        }
        Answer answer = new Answer(head, status, body, request);
        CLIENT_THREADS.execute(() -> response.complete(answer));
        return body;
    }

    /** The answer's head, as fabric8 reads it. */
    private static final class Answer extends StandardHttpHeaders implements HttpResponse<AsyncBody> {
        private final int code;
        private final AsyncBody body;
        private final HttpRequest request;

        Answer(Map<String, List<String>> headers, int code, AsyncBody body, HttpRequest request) {
            super(headers);
            this.code = code;
            this.body = body;
            this.request = request;
        }

        @Override
        public int code() {
            return code;
        }

        @Override
        public AsyncBody body() {
            return body;
        }

        @Override
        public HttpRequest request() {
            return request;
        }

        @Override
        public Optional<HttpResponse<?>> previousResponse() {
            return Optional.empty();
        }
    }
}
