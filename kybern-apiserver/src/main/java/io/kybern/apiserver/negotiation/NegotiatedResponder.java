package io.kybern.apiserver.negotiation;

import io.kybern.api.protobuf.KubernetesProtobuf;
import io.kybern.api.protobuf.ProtobufException;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers objects, watch events and failures in the format the client's {@code Accept} header
 * prefers: JSON, or Kubernetes protobuf for clients that ask for it.
 *
 * <p>An object protobuf cannot carry whole (a kind without a message, a field without a counterpart)
 * is sent as JSON when the client also takes JSON, as Kubernetes does for custom resources, and
 * refused with 406 otherwise; it is never sent with fields missing. Responses that are not objects
 * ({@link #respond}) pass through unchanged.
 *
 * <p>Used by one request's thread.
 */
public final class NegotiatedResponder implements ApiResponder {

    private static final Logger log = LoggerFactory.getLogger(NegotiatedResponder.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String WATCH_STREAM = ResponseFormat.PROTOBUF + ";stream=watch";

    private final ApiRequest request;
    private final ApiResponder plain;
    private String watchedApiVersion = "";
    private String watchedKind = "";

    public NegotiatedResponder(ApiRequest request, ApiResponder plain) {
        this.request = request;
        this.plain = plain;
    }

    /** The kind a watch on this request streams, so protobuf is only chosen for kinds it can carry. */
    public void objectsOf(String apiVersion, String kind) {
        this.watchedApiVersion = apiVersion;
        this.watchedKind = kind;
    }

    @Override
    public void header(String name, String value) {
        plain.header(name, value);
    }

    @Override
    public void upgrade(java.util.function.Consumer<io.netty.channel.Channel> tunnel) {
        plain.upgrade(tunnel);
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        plain.respond(status, contentType, body);
    }

    @Override
    public void respondPieces(int status, String contentType, List<byte[]> pieces) {
        plain.respondPieces(status, contentType, pieces);
    }

    /** Sends an object (or list, or Status) in the negotiated format. */
    public void respondObject(int status, ObjectNode body) {
        if (format() instanceof ResponseFormat.Protobuf protobuf) {
            try {
                plain.respond(status, ResponseFormat.PROTOBUF, KubernetesProtobuf.encode(body));
                return;
            } catch (ProtobufException e) {
                if (!protobuf.jsonAcceptable()) {
                    throw new ApiException(406, "NotAcceptable", "the object cannot be sent as "
                            + ResponseFormat.PROTOBUF + ": " + e.getMessage(), null);
                }
                log.debug("answering in JSON: {}", e.getMessage());
            }
        }
        plain.respond(status, "application/json", JSON.writeValueAsBytes(body));
    }

    @Override
    public ResponseStream stream(int status, String contentType) {
        if (!contentType.equals("application/json") || !(format() instanceof ResponseFormat.Protobuf protobuf)) {
            return plain.stream(status, contentType);
        }
        if (!KubernetesProtobuf.supports(watchedApiVersion, watchedKind)) {
            if (!protobuf.jsonAcceptable()) {
                throw new ApiException(406, "NotAcceptable", watchedKind + " cannot be watched in "
                        + ResponseFormat.PROTOBUF, null);
            }
            return plain.stream(status, contentType);
        }
        return new ProtobufWatchStream(plain.stream(status, WATCH_STREAM));
    }

    /**
     * Sends a failure as a protobuf Status if the client asked for protobuf.
     *
     * @return false if the client takes JSON, which the HTTP layer sends
     */
    public boolean fail(ApiException e) {
        if (!(format() instanceof ResponseFormat.Protobuf)) {
            return false;
        }
        plain.respond(e.code(), ResponseFormat.PROTOBUF, KubernetesProtobuf.encode(StatusDocuments.failure(e)));
        return true;
    }

    /**
     * The negotiated format, or JSON when the header names nothing servable: reads refuse such headers
     * with 406 before they start (see {@code ApiServer}), and writes answer JSON as they always have.
     */
    private ResponseFormat format() {
        try {
            return ResponseFormat.negotiate(request.header("accept"));
        } catch (ApiException notAcceptable) {
            return ResponseFormat.OBJECTS;
        }
    }

    /**
     * Turns the JSON watch events written to it (one {@code {"type", "object"}} document per write)
     * into protobuf frames.
     */
    private record ProtobufWatchStream(ResponseStream out) implements ResponseStream {
        @Override
        public boolean write(byte[] piece) {
            JsonNode event;
            try {
                event = JSON.readTree(piece);
            } catch (JacksonException e) {
                throw new IllegalStateException("a watch event that is not JSON", e);
            }
            String type = event.path("type").asString("");
            ObjectNode object = (ObjectNode) event.get("object");
            byte[] frame;
            try {
                frame = KubernetesProtobuf.watchFrame(type, object);
            } catch (ProtobufException e) {
                // The stream is protobuf already: say why it ends rather than drop the event.
                log.warn("watch event cannot be sent as protobuf: {}", e.getMessage());
                out.write(KubernetesProtobuf.watchFrame("ERROR", StatusDocuments.failure(
                        ApiException.internal("the object cannot be sent as protobuf: " + e.getMessage()))));
                return false;
            }
            return out.write(frame);
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
