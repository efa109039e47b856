package io.kybern.apiserver.negotiation;

import io.kybern.api.protobuf.KubernetesProtobuf;
import io.kybern.api.protobuf.ProtobufException;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request bodies in Kubernetes protobuf, decoded to the JSON trees the server keeps.
 *
 * <p>A protobuf field the server does not know cannot be kept (objects are stored as JSON), so it is
 * never dropped without the client having asked: with {@code fieldValidation=Strict}, {@code Warn}
 * or none it is refused with 400 naming the field; only {@code Ignore} drops it. Kubernetes itself
 * skips unknown protobuf fields whatever the setting; we refuse by default so that a newer client's
 * field is never lost unseen, and refuse under Warn too because this server cannot yet send warning
 * headers.
 */
public final class RequestBodies {

    private static final Logger log = LoggerFactory.getLogger(RequestBodies.class);

    private RequestBodies() {
    }

    /** Whether the request's Content-Type is Kubernetes protobuf. */
    public static boolean isProtobuf(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("");
        return contentType.split(";")[0].strip().toLowerCase(Locale.ROOT).equals(KubernetesProtobuf.MEDIA_TYPE);
    }

    /** The object a protobuf body carries. */
    public static ObjectNode protobufObject(ApiRequest request) {
        String validation = Optional.ofNullable(request.param("fieldValidation")).orElse("");
        if (!validation.isEmpty() && !validation.equals("Strict") && !validation.equals("Warn")
                && !validation.equals("Ignore")) {
            throw ApiException.badRequest("fieldValidation must be one of Ignore, Warn or Strict, not \""
                    + validation + "\"");
        }
        KubernetesProtobuf.Decoded decoded;
        try {
            decoded = KubernetesProtobuf.decode(request.body());
        } catch (ProtobufException e) {
            throw ApiException.badRequest("the body of the request could not be decoded: " + e.getMessage());
        }
        if (!decoded.unknownFields().isEmpty()) {
            if (!validation.equals("Ignore")) {
                throw ApiException.badRequest("strict decoding error: unknown field \""
                        + String.join("\", unknown field \"", decoded.unknownFields()) + "\"");
            }
            log.debug("dropping unknown protobuf fields as fieldValidation=Ignore asks: {}", decoded.unknownFields());
        }
        return decoded.object();
    }

    /** Options sent in a body (DeleteOptions), in JSON or protobuf. */
    public static ObjectNode options(ApiRequest request) {
        return isProtobuf(request) ? protobufObject(request) : ObjectStorage.parseObject(request.body());
    }
}
